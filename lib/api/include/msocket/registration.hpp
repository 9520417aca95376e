// Registering a listener under a name (paper §III-B3, server mobility):
// msocket::name_registration publishes the addresses a listener is reachable
// on in the name service (mnamed), signed with the name's key, and keeps the
// record current as this host's addresses change, so clients that connect by
// name (msocket::async_connect) find it and follow its moves.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/error.hpp"
#include "msocket/options.hpp"

namespace msocket {

namespace api {
class NameRegistration;
class RelayReservations;
}
class relay_reservations;
namespace names {
struct SigningKey;
}

// The key that owns a name, read from the file `mnamed keygen` writes.
class name_key {
 public:
  // Errors: the file system's; names' bad_key_file (not a key file) and
  // key_file_unprotected (others may read it: chmod 600).
  static result<name_key> load(const std::string& path);
  // A listener opened with these options signs its handshakes with this
  // key, which proves to clients that connect by the name (or with
  // --peer-key) that they reached the name's owner (docs/protocol.md §4.3).
  void sign_handshakes(Options& options) const;

 private:
  friend class name_registration;
  friend class relay_reservations;
  std::shared_ptr<const names::SigningKey> key_;
};

class name_registration {
 public:
  using RegisterHandler =
      boost::asio::any_completion_handler<void(boost::system::error_code, name_registration)>;

  name_registration() = default;  // registers nothing
  name_registration(name_registration&& other) noexcept = default;
  name_registration& operator=(name_registration&& other) noexcept;
  ~name_registration();  // stop()

  // Publishes `name` at the addresses `listening` is reachable on (each local
  // address of its family, for a wildcard one) in the name service at
  // `service_url` (http://HOST:PORT), once; then keeps the record current in
  // the background, on `ex`, until stop(). Completes with (error_code,
  // name_registration). Errors: only what retrying cannot mend: the URL is
  // not http://HOST:PORT, the name is invalid or owned by another key; an
  // unreachable service is retried in the background.
  template <class Token>
  static auto async_register(boost::asio::any_io_executor ex, std::string service_url, name_key key,
                             std::string name, boost::asio::ip::tcp::endpoint listening, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, name_registration)>(
        [ex](auto handler, std::string service_url, name_key key, std::string name,
             boost::asio::ip::tcp::endpoint listening) {
          start_register(ex, std::move(service_url), std::move(key), std::move(name), listening, nullptr,
                         std::move(handler));
        },
        token, std::move(service_url), std::move(key), std::move(name), listening);
  }

  // As above, for a listener reached through relays: publishes the
  // addresses `relays` holds (relay_reservations::addresses), and again
  // whenever they change, instead of the host's own.
  template <class Token>
  static auto async_register(boost::asio::any_io_executor ex, std::string service_url, name_key key,
                             std::string name, const relay_reservations& relays, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, name_registration)>(
        [ex, &relays](auto handler, std::string service_url, name_key key, std::string name) {
          start_register(ex, std::move(service_url), std::move(key), std::move(name), {}, relays_of(relays),
                         std::move(handler));
        },
        token, std::move(service_url), std::move(key), std::move(name));
  }

  // Stops keeping the record current (the record stays until it expires).
  void stop();
  // The addresses published last, "IP:PORT" (for logs and tests).
  std::vector<std::string> published() const;

 private:
  explicit name_registration(std::shared_ptr<api::NameRegistration> registration);
  static void start_register(boost::asio::any_io_executor ex, std::string service_url, name_key key,
                             std::string name, boost::asio::ip::tcp::endpoint listening,
                             std::shared_ptr<api::RelayReservations> relays, RegisterHandler handler);
  static std::shared_ptr<api::RelayReservations> relays_of(const relay_reservations& relays);

  std::shared_ptr<api::NameRegistration> registration_;
};

}  // namespace msocket
