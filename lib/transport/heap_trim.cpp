#include "transport/heap_trim.hpp"

#include <atomic>

#include <boost/asio/execution/context.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/query.hpp>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "transport/connection_timers.hpp"

namespace msocket::transport {

namespace {

// Per io_context: whether a trim is already due.
class TrimPending : public boost::asio::execution_context::service {
 public:
  static inline boost::asio::execution_context::id id;
  explicit TrimPending(boost::asio::execution_context& context) : service(context) {}
  std::atomic<bool> due{false};

 private:
  void shutdown() override {}
};

}  // namespace

void trim_heap_soon(const boost::asio::any_io_executor& ex) {
#if defined(__GLIBC__)
  auto& pending = boost::asio::use_service<TrimPending>(boost::asio::query(ex, boost::asio::execution::context));
  if (pending.due.exchange(true)) return;
  ConnectionTimers::of(ex).schedule(ex, Clock::now() + kTrimInterval, [&pending] {
    pending.due = false;
    ::malloc_trim(0);
  });
#else
  (void)ex;
#endif
}

}  // namespace msocket::transport
