// One Asio timer per io_context for the deadlines of all its connections
// (acks, keepalives, retries, lingering), instead of a timer and a waiting
// coroutine per connection: ten thousand idle connections then cost one
// armed timer and an ordered entry each, and the process wakes once for all
// the deadlines that fall due together.
//
// Callbacks run on the thread that runs the io_context; a connection's
// callback hands itself to the connection's executor (Connection does).
// Thread-safe: connections on several threads of one io_context may share it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "msocket/types.hpp"

namespace msocket::transport {

namespace asio = boost::asio;

class ConnectionTimers : public asio::execution_context::service {
 public:
  // Identifies one scheduled deadline (for cancel and reschedule).
  using Key = std::pair<TimePoint, std::uint64_t>;
  using Callback = std::function<void()>;

  static inline asio::execution_context::id id;
  explicit ConnectionTimers(asio::execution_context& context) : service(context) {}

  // The instance of `ex`'s execution context.
  static ConnectionTimers& of(const asio::any_io_executor& ex);

  // Calls `callback` once at `at` (or soon after); returns its key. The
  // shared timer runs on `ex` (the first caller's executor is kept).
  Key schedule(const asio::any_io_executor& ex, TimePoint at, Callback callback);
  // Forgets a scheduled deadline; nothing if it has fired or is unknown.
  void cancel(const Key& key);
  std::size_t scheduled() const;

 private:
  void shutdown() override;
  void arm_locked(const asio::any_io_executor& ex);
  void on_expiry(std::uint64_t generation);

  mutable std::mutex mutex_;
  std::map<Key, Callback> deadlines_;
  std::uint64_t next_serial_ = 0;
  std::optional<asio::steady_timer> timer_;
  std::optional<TimePoint> armed_for_;  // the deadline the timer waits for, if it waits
  std::uint64_t generation_ = 0;        // of the wait in progress: earlier ones were cancelled
  bool shut_down_ = false;
};

}  // namespace msocket::transport
