#include "api/relay_reservations.hpp"

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "paths/address_watcher.hpp"
#include "transport/listener.hpp"

namespace msocket::api {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

RelayReservations::RelayReservations(asio::any_io_executor ex, std::shared_ptr<transport::Listener> listener,
                                     names::SigningKey key, std::string name, std::vector<std::string> relays)
    : ex_(ex), listener_(listener), key_(key), name_(std::move(name)), relays_(std::move(relays)), settled_(ex) {}

RelayReservations::~RelayReservations() { stop(); }

bool RelayReservations::all_settled() const {
  for (const auto& agent : agents_)
    if (!agent->settled()) return false;
  return true;
}

std::vector<std::string> RelayReservations::addresses() const {
  std::vector<std::string> out;
  for (const auto& agent : agents_)
    if (auto address = agent->address()) out.push_back(*address);
  return out;
}

void RelayReservations::changed() {
  settled_.cancel();
  auto now = addresses();
  if (now == last_addresses_) return;
  last_addresses_ = std::move(now);
  if (on_change_) on_change_();
}

asio::awaitable<error_code> RelayReservations::start(Duration wait) {
  auto self = shared_from_this();
  std::weak_ptr<RelayReservations> weak = self;
  for (const auto& relay : relays_) {
    auto on_flowpath = [listener = listener_](asio::ip::tcp::socket socket, asio::ip::address client) {
      if (auto l = listener.lock()) l->adopt(std::move(socket), client);
    };
    auto on_change = [weak] {
      if (auto me = weak.lock()) me->changed();
    };
    agents_.push_back(std::make_shared<proxy::RelayAgent>(ex_, relay, name_, key_, std::move(on_flowpath),
                                                          std::move(on_change)));
  }
  for (auto& agent : agents_) agent->start();
  watcher_ = std::make_unique<paths::AddressWatcher>(ex_);
  auto ec = watcher_->start([weak](const paths::AddressEvent& event) {
    if (auto me = weak.lock()) me->network_changed(event);
  });
  if (ec) {
    log::proxy()->warn("cannot follow local addresses ({}): control channels to relays are reopened only when lost",
                       ec.message());
    watcher_.reset();
  }
  const auto deadline = Clock::now() + wait;
  while (!all_settled() && Clock::now() < deadline) {
    settled_.expires_at(deadline);
    co_await settled_.async_wait(use_tuple);
  }
  last_addresses_ = addresses();
  if (!last_addresses_.empty()) co_return error_code{};
  for (const auto& agent : agents_)
    if (agent->failure()) co_return agent->failure();
  co_return error_code(asio::error::timed_out);
}

// Reopening a control channel makes the relay close every flow joined
// through the old one, so only what may have broken it does: its own
// address going, or a link going down. An address that comes (a second
// network, an IPv6 address once its duplicate check is over, a lifetime a
// router advertisement refreshes) leaves a working channel working; it
// only wakes an agent that has none.
void RelayReservations::network_changed(const paths::AddressEvent& event) {
  using Kind = paths::AddressEventKind;
  for (auto& agent : agents_) {
    const bool lost = event.kind == Kind::link_down ||
                      (event.kind == Kind::address_removed && agent->leaves_from(event.address));
    if (lost || !agent->connected()) agent->network_changed();
  }
}

void RelayReservations::stop() {
  if (watcher_) watcher_->stop();
  settled_.cancel();
  for (auto& agent : agents_) agent->stop();
}

}  // namespace msocket::api
