#include "paths/shared_address_watcher.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

namespace msocket::paths {

SharedAddressWatcher& SharedAddressWatcher::of(const boost::asio::any_io_executor& ex) {
  return boost::asio::use_service<SharedAddressWatcher>(boost::asio::query(ex, boost::asio::execution::context));
}

std::unique_ptr<SharedAddressWatcher::Subscription> SharedAddressWatcher::subscribe(
    const boost::asio::any_io_executor& ex, Handler handler) {
  std::lock_guard lock(mutex_);
  if (shut_down_) return nullptr;
  if (!watcher_) {
    watcher_ = std::make_unique<AddressWatcher>(ex);
    if (watcher_->start([this](const AddressEvent& event) { fan_out(event); })) {
      watcher_.reset();  // tried again by the next subscriber
      return nullptr;
    }
  }
  const auto key = next_key_++;
  subscribers_.emplace(key, Subscriber{ex, std::make_shared<Handler>(std::move(handler))});
  return std::make_unique<Subscription>(*this, key);
}

std::size_t SharedAddressWatcher::subscribers() const {
  std::lock_guard lock(mutex_);
  return subscribers_.size();
}

void SharedAddressWatcher::unsubscribe(std::uint64_t key) {
  std::unique_ptr<AddressWatcher> doomed;  // stopped and destroyed unlocked
  std::lock_guard lock(mutex_);
  subscribers_.erase(key);
  if (subscribers_.empty()) doomed = std::move(watcher_);
}

void SharedAddressWatcher::shutdown() {
  std::lock_guard lock(mutex_);
  shut_down_ = true;
  subscribers_.clear();
  watcher_.reset();  // while the socket's own service still exists
}

// Runs on the watcher's executor. The list is copied first: a handler may
// subscribe or unsubscribe; one unsubscribed meanwhile is skipped.
void SharedAddressWatcher::fan_out(const AddressEvent& event) {
  std::vector<std::pair<std::uint64_t, Subscriber>> told;
  {
    std::lock_guard lock(mutex_);
    told.assign(subscribers_.begin(), subscribers_.end());
  }
  auto now = std::make_shared<const std::vector<LocalAddress>>(list_local_addresses());
  for (auto& [key, subscriber] : told) {
    boost::asio::dispatch(subscriber.executor, [this, key = key, weak = std::weak_ptr(subscriber.handler), event, now] {
      {
        std::lock_guard lock(mutex_);
        if (!subscribers_.count(key)) return;
      }
      if (auto handler = weak.lock()) (*handler)(event, *now);
    });
  }
}

}  // namespace msocket::paths
