// A listener behind NAT, reached through relays (mproxy, docs/protocol.md
// §5): msocket::relay_reservations holds the listener's name on each relay,
// and the clients' flowpaths that the relays join arrive at the acceptor as
// if accepted. Publish the relays' addresses under the name with
// name_registration::async_register(..., relays, ...), and clients that
// connect by name reach the listener exactly as a multihomed one.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include "msocket/acceptor.hpp"
#include "msocket/error.hpp"
#include "msocket/registration.hpp"

namespace msocket {

namespace api {
class RelayReservations;
}

class relay_reservations {
 public:
  using ReserveHandler = boost::asio::any_completion_handler<void(boost::system::error_code, relay_reservations)>;

  relay_reservations() = default;  // holds nothing
  relay_reservations(relay_reservations&&) noexcept = default;
  relay_reservations& operator=(relay_reservations&& other) noexcept;
  ~relay_reservations();  // stop()

  // Reserves `name` on each of `relays` ("HOST:PORT" of an mproxy), proved
  // with the name's key, and keeps the reservations: renewed; reopened at
  // once when the address a control channel leaves from goes away; a relay
  // that drains, refuses us or stays out of reach longer than the
  // reservation lives is no longer among addresses() (another relay is
  // not looked for: give several).
  // Completes with (error_code, relay_reservations) once every relay has
  // answered or failed once (10 s at most). Errors, only when no relay
  // holds the reservation: the first failure among the relays, in the
  // msocket.proxy category (relay_full, not_owner, limited, draining,
  // refused_malformed, bad_answer, bad_relay_address), a network error, or
  // timed_out when none answered.
  template <class Token>
  static auto async_reserve(acceptor& acc, const name_key& key, std::string name, std::vector<std::string> relays,
                            Token&& token) {
    return async_reserve(acc, key, std::move(name), std::move(relays), 0, std::forward<Token>(token));
  }
  // As above, on `use` of the relays at once (0: all): the nearest by TCP
  // connect time to each, measured first. One that is lost (dies, drains
  // or refuses us) is replaced by the next nearest not lost within the
  // last minute, so the name stays reachable while any relay lives.
  template <class Token>
  static auto async_reserve(acceptor& acc, const name_key& key, std::string name, std::vector<std::string> relays,
                            std::size_t use, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, relay_reservations)>(
        [&acc, &key, use](auto handler, std::string name, std::vector<std::string> relays) {
          start_reserve(acc, key, std::move(name), std::move(relays), use, {}, std::move(handler));
        },
        token, std::move(name), std::move(relays));
  }
  // As above, with the relays taken from the pool in the name service at
  // `names_url` (http://HOST:PORT): every relay that registered itself
  // there (names beginning with "mproxy.", man/mproxy.8), of which the
  // `use` nearest hold the reservation. When one is lost and every other
  // candidate was lost lately, the pool is listed again. Errors also:
  // not_found when the pool holds no relay, and the name service's.
  template <class Token>
  static auto async_reserve_from_pool(acceptor& acc, const name_key& key, std::string name, std::string names_url,
                                      std::size_t use, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, relay_reservations)>(
        [&acc, &key, use](auto handler, std::string name, std::string names_url) {
          start_reserve(acc, key, std::move(name), {}, use, std::move(names_url), std::move(handler));
        },
        token, std::move(name), std::move(names_url));
  }

  // Gives the reservations up (they expire on the relays).
  void stop();
  // Where clients reach the listener now, "IP:PORT" per relay.
  std::vector<std::string> addresses() const;

 private:
  friend class name_registration;
  explicit relay_reservations(std::shared_ptr<api::RelayReservations> reservations);
  static void start_reserve(acceptor& acc, const name_key& key, std::string name, std::vector<std::string> relays,
                            std::size_t use, std::string pool_url, ReserveHandler handler);

  std::shared_ptr<api::RelayReservations> reservations_;
};

}  // namespace msocket
