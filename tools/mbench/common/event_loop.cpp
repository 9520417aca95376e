#include "common/event_loop.hpp"

#include <exception>
#include <functional>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>

#include "testbed/interruption.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace msocket::mbench {

void run_to_completion(asio::io_context& context, asio::awaitable<void> task, const std::string& what,
                       std::chrono::steady_clock::duration timeout) {
  std::exception_ptr failure;
  bool finished = false, timed_out = false;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // Ctrl-C or the timeout: stop the loop where it is; the caller cleans up.
  asio::steady_timer watchdog(context);
  std::function<void()> watch = [&] {
    watchdog.expires_after(50ms);
    watchdog.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      timed_out = std::chrono::steady_clock::now() >= deadline;
      if (testbed::interrupted() || timed_out) context.stop();
      else watch();
    });
  };
  watch();
  asio::co_spawn(context, std::move(task), [&](std::exception_ptr e) {
    failure = e;
    finished = true;
    watchdog.cancel();
  });
  context.run();
  testbed::throw_if_interrupted();
  if (failure) std::rethrow_exception(failure);
  if (timed_out) throw std::runtime_error(what + ": not done in time");
  if (!finished) throw std::logic_error(what + ": the event loop ended early");
}

}  // namespace msocket::mbench
