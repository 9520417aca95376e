#include "msocket/registration.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "api/name_registration.hpp"
#include "api/relay_reservations.hpp"
#include "msocket/relays.hpp"
#include "names/key_file.hpp"

namespace msocket {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

result<name_key> name_key::load(const std::string& path) {
  auto key = names::load_key_file(path);
  if (!key) return key.error();
  name_key loaded;
  loaded.key_ = std::make_shared<const names::SigningKey>(*key);
  return loaded;
}

void name_key::sign_handshakes(Options& options) const {
  std::array<std::byte, 64> secret{};
  std::copy(key_->secret_key.begin(), key_->secret_key.end(), secret.begin());
  options.identity = secret;
}

name_registration::name_registration(std::shared_ptr<api::NameRegistration> registration)
    : registration_(std::move(registration)) {}

name_registration& name_registration::operator=(name_registration&& other) noexcept {
  if (this != &other) {
    stop();
    registration_ = std::move(other.registration_);
  }
  return *this;
}

name_registration::~name_registration() { stop(); }

void name_registration::stop() {
  if (registration_) registration_->stop();
}

std::vector<std::string> name_registration::published() const {
  return registration_ ? registration_->published() : std::vector<std::string>{};
}

void name_registration::start_register(asio::any_io_executor ex, std::string service_url, name_key key,
                                       std::string name, asio::ip::tcp::endpoint listening,
                                       std::shared_ptr<api::RelayReservations> relays, RegisterHandler handler) {
  auto server = names::parse_server_list(service_url);
  if (!server || !key.key_) {
    const error_code ec = server ? error_code(asio::error::invalid_argument) : server.error();
    asio::post(ex, asio::append(std::move(handler), ec, name_registration()));
    return;
  }
  auto registration = std::make_shared<api::NameRegistration>(ex, *server, *key.key_, std::move(name), listening);
  if (relays) {
    std::weak_ptr<api::RelayReservations> weak_relays = relays;
    registration->publish_instead([weak_relays] {
      auto r = weak_relays.lock();
      return r ? r->addresses() : std::vector<std::string>{};
    });
    std::weak_ptr<api::NameRegistration> weak_registration = registration;
    relays->on_change([weak_registration] {
      if (auto r = weak_registration.lock()) r->addresses_changed();
    });
  }
  // Made in a statement of its own, not inside the co_spawn call (g++ 12
  // mishandles coroutine arguments there; see msocket/options.hpp).
  auto starting = registration->start();
  // The handler runs where it asks to (a coroutine's executor, a strand),
  // else on `ex`.
  auto where = asio::get_associated_executor(handler, ex);
  asio::co_spawn(ex, std::move(starting),
                 asio::bind_executor(where, [registration, handler = std::move(handler)](std::exception_ptr e,
                                                                                          error_code ec) mutable {
                   if (e) ec = asio::error::fault;
                   if (ec) {
                     registration->stop();
                     std::move(handler)(ec, name_registration());
                   } else {
                     std::move(handler)(ec, name_registration(std::move(registration)));
                   }
                 }));
}

}  // namespace msocket
