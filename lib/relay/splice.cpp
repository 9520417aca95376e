#include "relay/splice.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"

namespace msocket::relay {
namespace {

using error_code = boost::system::error_code;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kChunk = 128 * 1024;

struct Shared {
  explicit Shared(asio::any_io_executor ex) : watchdog(ex) {}
  TimePoint last_activity = Clock::now();
  std::optional<TimePoint> local_eof_at;
  asio::steady_timer watchdog;
};

asio::awaitable<error_code> upstream(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options,
                                     Shared& shared) {
  if (!options.send) {
    stream.shutdown_write();
    co_return error_code{};
  }
  std::vector<std::byte> buffer(kChunk);
  for (;;) {
    auto n = co_await local.read(buffer);
    if (!n) co_return n.error();
    if (*n == 0) break;
    shared.last_activity = Clock::now();
    auto [ec, written] = co_await asio::async_write(stream, asio::buffer(buffer.data(), *n), use_tuple);
    (void)written;
    if (ec) co_return ec;
  }
  shared.local_eof_at = Clock::now();
  shared.watchdog.cancel();  // the -q clock starts now
  if (options.half_close) stream.shutdown_write();
  co_return error_code{};
}

asio::awaitable<error_code> downstream(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options,
                                       Shared& shared) {
  std::vector<std::byte> buffer(kChunk);
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer), use_tuple);
    if (ec == asio::error::eof) {
      local.shutdown_write();
      co_return error_code{};
    }
    if (ec) co_return ec;
    shared.last_activity = Clock::now();
    if (!options.receive) continue;
    if (auto wec = co_await local.write_all(std::span(buffer).first(n))) co_return wec;
  }
}

// Downstream that goes on watching the connection after the peer's EOF:
// nobody reads the stream then, and a reset must still end the wait for
// local input. Ends when the connection has closed.
asio::awaitable<error_code> downstream_then_close(msocket::stream& stream, LocalEnd& local,
                                                  const SpliceOptions& options, Shared& shared) {
  if (auto ec = co_await downstream(stream, local, options, shared)) co_return ec;
  auto [closed] = co_await stream.async_wait_closed(use_tuple);
  co_return closed;
}

// Upstream that does not end the splice at local EOF (--no-shutdown: only the
// peer's close ends it).
asio::awaitable<error_code> upstream_then_wait(msocket::stream& stream, LocalEnd& local,
                                               const SpliceOptions& options, Shared& shared) {
  if (auto ec = co_await upstream(stream, local, options, shared)) co_return ec;
  asio::steady_timer forever(co_await asio::this_coro::executor, TimePoint::max());
  co_await forever.async_wait(use_tuple);
  co_return error_code{};
}


asio::awaitable<error_code> transfer(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options,
                                     Shared& shared) {
  error_code ec;
  if (options.half_close) {
    // A failing direction ends the other by closing what it waits on (the
    // local end, or the connection), so `&&` completes.
    auto up_and_stop = [&]() -> asio::awaitable<error_code> {
      auto e = co_await upstream(stream, local, options, shared);
      if (e) stream.abort();
      co_return e;
    };
    auto down_and_stop = [&]() -> asio::awaitable<error_code> {
      auto e = co_await downstream_then_close(stream, local, options, shared);
      if (e) local.close();
      co_return e;
    };
    auto sending = up_and_stop();
    auto receiving = down_and_stop();
    auto [up, down] = co_await all_of(sending, receiving);
    co_return down ? down : up;
  } else {
    auto receiving = downstream(stream, local, options, shared);
    auto sending = upstream_then_wait(stream, local, options, shared);
    auto outcome = co_await first_of(receiving, sending);
    ec = std::visit([](error_code e) { return e; }, outcome);
    if (!ec) stream.shutdown_write();
  }
  if (ec) co_return ec;
  auto [closed] = co_await stream.async_wait_closed(use_tuple);
  co_return closed;
}

// Ends the splice on -i (idle) or -q (quit after local EOF).
asio::awaitable<error_code> watchdog(const SpliceOptions& options, Shared& shared) {
  for (;;) {
    TimePoint deadline = TimePoint::max();
    if (options.idle_timeout) deadline = shared.last_activity + *options.idle_timeout;
    if (options.quit_after_eof && shared.local_eof_at)
      deadline = std::min(deadline, *shared.local_eof_at + *options.quit_after_eof);
    const auto now = Clock::now();
    if (now >= deadline) {
      const bool quit = options.quit_after_eof && shared.local_eof_at &&
                        now >= *shared.local_eof_at + *options.quit_after_eof;
      co_return quit ? error_code{} : error_code(asio::error::timed_out);
    }
    shared.watchdog.expires_at(deadline);
    co_await shared.watchdog.async_wait(use_tuple);
    // The timer is also cancelled to say "look again" (local EOF); only a
    // cancellation of this coroutine (the transfer ended) ends the loop.
    auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return error_code{};
  }
}

}  // namespace

asio::awaitable<error_code> splice(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options) {
  Shared shared(co_await asio::this_coro::executor);
  auto transferring = transfer(stream, local, options, shared);
  auto watching = watchdog(options, shared);
  auto outcome = co_await first_of(transferring, watching);
  local.close();
  if (outcome.index() == 0) co_return std::get<0>(outcome);
  // The watchdog ended it: drop the connection rather than wait for the peer.
  stream.abort();
  const auto ec = std::get<1>(outcome);
  if (ec == asio::error::timed_out) log::tool()->info("idle timeout expired");
  co_return ec;
}

}  // namespace msocket::relay
