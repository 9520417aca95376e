// Helpers for the library's C++20 coroutines on Asio (docs/architecture.md,
// "Coroutines"): how a spawned coroutine's failure is reported, and how two
// or more awaitables are combined without the shape that g++ 12 miscompiles.
#pragma once

#include <exception>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/logger.h>

namespace msocket {

// The completion token of an awaited operation whose error is an answer,
// not an exception: `auto [ec, n] = co_await socket.async_read_some(b, use_tuple);`.
inline constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);

// A co_spawn completion handler: an exception that leaves the coroutine is a
// bug of ours (the library reports network and peer failures as error codes,
// never by throwing), so it is logged as an internal error on `logger`, with
// `what` the coroutine was doing, instead of vanishing as with asio::detached.
// Handles coroutines of any result type.
class LogCoroutineFailure {
 public:
  LogCoroutineFailure(std::shared_ptr<spdlog::logger> logger, const char* what)
      : logger_(std::move(logger)), what_(what) {}
  void operator()(std::exception_ptr e) const;
  template <class Result>
  void operator()(std::exception_ptr e, const Result&) const {
    (*this)(e);
  }

 private:
  std::shared_ptr<spdlog::logger> logger_;
  const char* what_;
};

// The transport's handler (flowpath coroutines, timers, control sockets).
void log_coroutine_exception(std::exception_ptr e);

// Combining awaitables. g++ 12 may destroy a temporary of a co_await
// expression twice when the suspended coroutine is destroyed (cancelled),
// so the operands of Asio's `||` and `&&` must be named objects, never
// calls written inside the co_await. These take their operands by non-const
// lvalue reference, which a temporary cannot bind to: the compiler refuses
// the bad shape. tests/source/coroutine_shape.sh refuses `co_await (a || b)`.
//
//   auto reading = socket.async_read_some(buffer, use_tuple);
//   auto expiring = timer.async_wait(use_tuple);
//   auto outcome = co_await first_of(reading, expiring);  // a std::variant

// Completes with the first operand to complete (a variant holding its
// result, by position); the others are cancelled.
template <class A, class B, class Executor>
auto first_of(boost::asio::awaitable<A, Executor>& a, boost::asio::awaitable<B, Executor>& b) {
  using namespace boost::asio::experimental::awaitable_operators;
  return std::move(a) || std::move(b);
}

// Completes when every operand has completed (a tuple of the non-void
// results); cancels the others when one fails with an exception.
template <class... T, class Executor>
auto all_of(boost::asio::awaitable<T, Executor>&... operands) {
  using namespace boost::asio::experimental::awaitable_operators;
  return (... && std::move(operands));  // left fold: ((a && b) && c), as Asio's overloads expect
}

}  // namespace msocket
