// The connections a listener serves at once (-k, --forward, --local): the
// listener returns only after the last one has ended, since each refers to
// the listener's options and statistics.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace msocket::relay {

namespace asio = boost::asio;

class ConnectionGroup {
 public:
  explicit ConnectionGroup(asio::any_io_executor ex);
  // Runs `connection` on the executor; an exception leaving it is said on
  // stderr (it is a bug).
  void spawn(asio::awaitable<void> connection);
  // Completes when no spawned connection is running.
  asio::awaitable<void> wait_all();

 private:
  asio::any_io_executor ex_;
  int running_ = 0;
  asio::steady_timer idle_;  // cancelled when running_ drops to 0
};

}  // namespace msocket::relay
