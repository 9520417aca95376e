#include "msocket/relays.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "api/relay_reservations.hpp"
#include "transport/listener.hpp"
#include "names/record.hpp"

namespace msocket {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

namespace {
// How long async_reserve waits for the relays that neither answer nor fail.
constexpr auto kFirstAnswers = std::chrono::seconds(10);
}  // namespace

relay_reservations::relay_reservations(std::shared_ptr<api::RelayReservations> reservations)
    : reservations_(std::move(reservations)) {}

relay_reservations& relay_reservations::operator=(relay_reservations&& other) noexcept {
  if (this != &other) {
    stop();
    reservations_ = std::move(other.reservations_);
  }
  return *this;
}

relay_reservations::~relay_reservations() { stop(); }

void relay_reservations::stop() {
  if (reservations_) reservations_->stop();
}

std::vector<std::string> relay_reservations::addresses() const {
  return reservations_ ? reservations_->addresses() : std::vector<std::string>{};
}

void relay_reservations::start_reserve(acceptor& acc, const name_key& key, std::string name,
                                       std::vector<std::string> relays, std::size_t use, std::string pool_url,
                                       ReserveHandler handler) {
  if (!acc.listener_) {  // a closed or moved-from acceptor: no executor to post to
    std::move(handler)(error_code(asio::error::bad_descriptor), relay_reservations());
    return;
  }
  auto ex = acc.listener_->get_executor();
  if (!key.key_ || (relays.empty() && pool_url.empty())) {
    asio::post(ex, asio::append(std::move(handler), error_code(asio::error::invalid_argument), relay_reservations()));
    return;
  }
  auto reservations = std::make_shared<api::RelayReservations>(ex, acc.listener_, *key.key_, std::move(name),
                                                               std::move(relays), use, std::move(pool_url));
  // Made in a statement of its own, not inside the co_spawn call (g++ 12
  // mishandles coroutine arguments there; see msocket/options.hpp).
  auto starting = reservations->start(kFirstAnswers);
  // The handler runs where it asks to (a coroutine's executor, a strand),
  // else on the acceptor's.
  auto where = asio::get_associated_executor(handler, ex);
  asio::co_spawn(ex, std::move(starting),
                 asio::bind_executor(where, [reservations, handler = std::move(handler)](std::exception_ptr e,
                                                                                        error_code ec) mutable {
                   if (e) ec = asio::error::fault;
                   if (ec) {
                     reservations->stop();
                     std::move(handler)(ec, relay_reservations());
                   } else {
                     std::move(handler)(ec, relay_reservations(std::move(reservations)));
                   }
                 }));
}

std::shared_ptr<api::RelayReservations> name_registration::relays_of(const relay_reservations& relays) {
  return relays.reservations_;
}

}  // namespace msocket
