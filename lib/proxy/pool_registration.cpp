#include "proxy/pool_registration.hpp"

#include <boost/asio/co_spawn.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"

namespace msocket::proxy {

namespace asio = boost::asio;

namespace {
// After a failed registration: again this soon, not a whole heartbeat later.
constexpr auto kRetry = std::chrono::seconds(1);
}  // namespace

PoolRegistration::PoolRegistration(asio::any_io_executor ex, std::vector<names::ServerUrl> names,
                                   names::SigningKey key, std::string name, std::string address,
                                   std::chrono::seconds ttl, std::function<std::uint32_t()> load)
    : ex_(ex),
      client_(ex, std::move(names)),
      key_(key),
      name_(std::move(name)),
      address_(std::move(address)),
      ttl_(ttl),
      load_(std::move(load)),
      heartbeat_(ex) {}

void PoolRegistration::start() {
  asio::co_spawn(ex_, run(), LogCoroutineFailure(log::proxy(), "registering in the pool of relays"));
}

asio::awaitable<void> PoolRegistration::run() {
  auto self = shared_from_this();
  while (!leaving_) {
    // A temporary stays out of the co_await (g++ 12, see client.cpp).
    names::Registration registration{name_, {address_}, "", ttl_, load_ ? load_() : 0};
    auto published = co_await names::publish(client_, key_, std::move(registration));
    if (leaving_) break;
    Duration next = ttl_ / 3;
    if (!published) {
      log::proxy()->warn("cannot register {} in the pool of relays: {}", name_, published.error().message());
      next = kRetry;
    } else if (!registered_) {
      registered_ = true;
      log::proxy()->info("in the pool of relays as {} at {} (renewed every {} s)", name_, address_,
                         std::chrono::duration_cast<std::chrono::seconds>(ttl_ / 3).count());
    }
    heartbeat_.expires_after(next);
    co_await heartbeat_.async_wait(use_tuple);
  }
}

void PoolRegistration::leave(std::function<void()> done) {
  if (leaving_) {
    if (done) done();
    return;
  }
  leaving_ = true;
  heartbeat_.cancel();
  asio::co_spawn(ex_, run_leave(std::move(done)), LogCoroutineFailure(log::proxy(), "leaving the pool of relays"));
}

asio::awaitable<void> PoolRegistration::run_leave(std::function<void()> done) {
  auto self = shared_from_this();
  client_.cancel();
  auto ec = co_await names::unpublish(client_, key_, name_);
  if (ec)
    log::proxy()->warn("cannot take {} out of the pool of relays: {} (it expires within {} s)", name_, ec.message(),
                       ttl_.count());
  else
    log::proxy()->info("left the pool of relays ({} deleted)", name_);
  if (done) done();
}

}  // namespace msocket::proxy
