#include "transport/connection_timers.hpp"

#include <vector>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/query.hpp>

namespace msocket::transport {

ConnectionTimers& ConnectionTimers::of(const asio::any_io_executor& ex) {
  return asio::use_service<ConnectionTimers>(asio::query(ex, asio::execution::context));
}

ConnectionTimers::Key ConnectionTimers::schedule(const asio::any_io_executor& ex, TimePoint at, Callback callback) {
  std::lock_guard lock(mutex_);
  const Key key{at, next_serial_++};
  if (shut_down_) return key;  // the io_context is going away: nothing runs any more
  deadlines_.emplace(key, std::move(callback));
  arm_locked(ex);
  return key;
}

void ConnectionTimers::cancel(const Key& key) {
  Callback doomed;  // destroyed unlocked: it may own what cancels more
  {
    std::lock_guard lock(mutex_);
    const auto it = deadlines_.find(key);
    if (it == deadlines_.end()) return;
    doomed = std::move(it->second);
    deadlines_.erase(it);
    // Otherwise the timer stays armed: waking once early costs less than
    // re-arming. With nothing left it is stopped, so that an io_context
    // whose connections are all gone runs out of work.
    if (deadlines_.empty() && timer_ && armed_for_) {
      armed_for_.reset();
      ++generation_;
      timer_->cancel();
    }
  }
}

std::size_t ConnectionTimers::scheduled() const {
  std::lock_guard lock(mutex_);
  return deadlines_.size();
}

void ConnectionTimers::shutdown() {
  std::map<Key, Callback> doomed;  // destroyed unlocked: they own connections, which cancel
  {
    std::lock_guard lock(mutex_);
    shut_down_ = true;
    doomed.swap(deadlines_);
    timer_.reset();  // while the timer's own service still exists
  }
}

// Re-arms only for an earlier deadline than the one awaited.
void ConnectionTimers::arm_locked(const asio::any_io_executor& ex) {
  if (deadlines_.empty()) return;
  const auto first = deadlines_.begin()->first.first;
  if (armed_for_ && *armed_for_ <= first) return;
  if (!timer_) timer_.emplace(ex);
  armed_for_ = first;
  timer_->expires_at(first);  // cancels the wait before, whose handler then does nothing
  timer_->async_wait([this, generation = ++generation_](const boost::system::error_code&) { on_expiry(generation); });
}

void ConnectionTimers::on_expiry(std::uint64_t generation) {
  std::vector<Callback> due;
  {
    std::lock_guard lock(mutex_);
    if (shut_down_ || generation != generation_) return;  // a wait replaced by an earlier deadline
    armed_for_.reset();
    const auto now = Clock::now();
    while (!deadlines_.empty() && deadlines_.begin()->first.first <= now) {
      due.push_back(std::move(deadlines_.begin()->second));
      deadlines_.erase(deadlines_.begin());
    }
    if (!deadlines_.empty()) arm_locked(timer_->get_executor());
  }
  // Outside the lock: a callback schedules its next deadline.
  for (auto& callback : due) callback();
}

}  // namespace msocket::transport
