// ConnectionTimers: one Asio timer serving every connection's deadline.
#include <catch2/catch.hpp>

#include <string>

#include <boost/asio/io_context.hpp>

#include "transport/connection_timers.hpp"

namespace msocket::transport {

using namespace std::chrono_literals;

TEST_CASE("ConnectionTimers: deadlines fire in order, once each", "[transport]") {
  boost::asio::io_context context;
  const auto ex = boost::asio::any_io_executor(context.get_executor());
  auto& timers = ConnectionTimers::of(ex);
  CHECK(&timers == &ConnectionTimers::of(ex));  // one per io_context
  std::string fired;
  const auto now = Clock::now();
  timers.schedule(ex, now + 30ms, [&] { fired += "c"; });
  timers.schedule(ex, now + 10ms, [&] { fired += "a"; });
  timers.schedule(ex, now + 20ms, [&] { fired += "b"; });
  CHECK(timers.scheduled() == 3);
  context.run();
  CHECK(fired == "abc");
  CHECK(timers.scheduled() == 0);
}

TEST_CASE("ConnectionTimers: a cancelled deadline does not fire, and an earlier one re-arms", "[transport]") {
  boost::asio::io_context context;
  const auto ex = boost::asio::any_io_executor(context.get_executor());
  auto& timers = ConnectionTimers::of(ex);
  std::string fired;
  const auto now = Clock::now();
  const auto late = timers.schedule(ex, now + 10s, [&] { fired += "late"; });
  const auto dropped = timers.schedule(ex, now + 5ms, [&] { fired += "dropped"; });
  timers.cancel(dropped);
  timers.cancel(dropped);  // twice is harmless
  // Armed for 10 s: a sooner deadline must not wait for it. Its callback
  // schedules the next one, as a connection does.
  timers.schedule(ex, now + 20ms, [&] {
    fired += "soon ";
    timers.schedule(ex, Clock::now() + 5ms, [&] {
      fired += "next";
      timers.cancel(late);
    });
  });
  const auto start = Clock::now();
  context.run();  // returns once nothing is scheduled: not after 10 s
  CHECK(Clock::now() - start < 5s);
  CHECK(fired == "soon next");
  CHECK(timers.scheduled() == 0);
}

TEST_CASE("ConnectionTimers: what is still scheduled goes with its io_context", "[transport]") {
  auto owned = std::make_shared<int>(7);
  std::weak_ptr<int> watch = owned;
  {
    boost::asio::io_context context;
    const auto ex = boost::asio::any_io_executor(context.get_executor());
    ConnectionTimers::of(ex).schedule(ex, Clock::now() + 1h, [owned] { (void)owned; });
    owned.reset();
  }
  CHECK(watch.expired());  // the callback, and what it owned, were destroyed
}

}  // namespace msocket::transport
