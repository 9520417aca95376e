#include "relay/splice.hpp"

#include <algorithm>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"

namespace msocket::relay {
namespace {

using error_code = boost::system::error_code;
constexpr std::size_t kChunk = 128 * 1024;

struct Shared {
  explicit Shared(asio::any_io_executor ex) : watchdog(ex) {}
  TimePoint last_activity = Clock::now();
  std::optional<TimePoint> local_eof_at;
  std::optional<Duration> stop_grace;  // set by stop_all_splices
  asio::steady_timer watchdog;
  // A splice without a watchdog (splice_unwatched): what stop_all_splices
  // does to it.
  std::function<void()> stop_now;
};

// Set by stop_all_splices(): a splice that starts later stops at once.
std::optional<Duration>& stop_grace_for_all() {
  static std::optional<Duration> grace;
  return grace;
}

// The splices running now, for stop_all_splices().
std::vector<Shared*>& running_splices() {
  static std::vector<Shared*> list;
  return list;
}

// Lists a splice in running_splices() for as long as it runs.
class RunningSplice {
 public:
  explicit RunningSplice(Shared& s) : shared_(&s) { running_splices().push_back(shared_); }
  ~RunningSplice() { std::erase(running_splices(), shared_); }
  RunningSplice(const RunningSplice&) = delete;
  RunningSplice& operator=(const RunningSplice&) = delete;

 private:
  Shared* shared_;
};

// Waits until the splice ends (never returns on its own).
asio::awaitable<void> wait_forever() {
  asio::steady_timer forever(co_await asio::this_coro::executor, TimePoint::max());
  co_await forever.async_wait(use_tuple);
}

// Local input read straight into the connection's output buffer (one copy
// fewer than through a buffer of ours): let the stream lend room, read into
// it, and wait for the local end only when it had nothing. Not a wait before
// each read: a busy input is nearly always ready, and each wait cost an
// epoll_ctl as well as a pass through the reactor. Returns at the local EOF.
asio::awaitable<error_code> upstream_direct(msocket::stream& stream, LocalEnd& local, Shared& shared) {
  const auto read_local = [&local](std::span<std::byte> room) { return local.read_now(room); };
  for (;;) {
    auto [ec, n] = co_await stream.async_write_some_from(read_local, use_tuple);
    if (ec == asio::error::eof) co_return error_code{};
    if (ec == asio::error::would_block) {  // nothing to read yet
      if (auto wec = co_await local.wait_readable()) co_return wec;
      continue;
    }
    if (ec) co_return ec;
    shared.last_activity = Clock::now();
  }
}

// Received bytes written to the local end straight from the connection's
// input buffer; at the peer's EOF, the local end's output is shut.
asio::awaitable<error_code> downstream_direct(msocket::stream& stream, LocalEnd& local, Shared& shared) {
  const auto write_local = [&local](std::span<const std::byte> bytes) { return local.write_now(bytes); };
  for (;;) {
    auto [ec, n] = co_await stream.async_read_some_into(write_local, use_tuple);
    if (ec == asio::error::eof) {
      local.shutdown_write();
      co_return error_code{};
    }
    if (ec == asio::error::would_block) {  // the local end is full: wait for room
      if (auto wec = co_await local.wait_writable()) co_return wec;
      continue;
    }
    if (ec) co_return ec;
    shared.last_activity = Clock::now();
  }
}

asio::awaitable<error_code> upstream(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options,
                                     Shared& shared) {
  if (!options.send) {
    // ncat's --recv-only: no EOF either; the end comes from the peer.
    co_await wait_forever();
    co_return error_code{};
  }
  if (local.direct()) {
    if (auto ec = co_await upstream_direct(stream, local, shared)) co_return ec;
  } else {
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
  }
  shared.local_eof_at = Clock::now();
  shared.watchdog.cancel();  // the -q clock starts now
  if (options.half_close) stream.shutdown_write();
  co_return error_code{};
}

asio::awaitable<error_code> downstream(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options,
                                       Shared& shared) {
  if (local.direct() && options.receive) co_return co_await downstream_direct(stream, local, shared);
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

// Upstream that does not end the splice at local EOF: only the peer's EOF
// (or its close) ends it.
asio::awaitable<error_code> upstream_then_wait(msocket::stream& stream, LocalEnd& local,
                                               const SpliceOptions& options, Shared& shared) {
  if (auto ec = co_await upstream(stream, local, options, shared)) co_return ec;
  co_await wait_forever();
  co_return error_code{};
}

// Both directions to their end, each at its own pace (a child or a socket
// finishes its output after our EOF reached it).
asio::awaitable<error_code> both_directions(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options,
                                            Shared& shared) {
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
}

// Until the peer's EOF, which ends the splice: what the local end has not
// yet given is left unread, and the connection closes.
asio::awaitable<error_code> until_peer_eof(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options,
                                           Shared& shared) {
  if (!options.send) {
    // Nothing to send (a keep-open listener's connections): no second
    // coroutine waiting for ever beside the first. Each `||` holds a few KiB
    // of coroutine frames, and such a listener holds thousands of these.
    if (auto ec = co_await downstream(stream, local, options, shared)) co_return ec;
    stream.shutdown_write();
    auto [closed] = co_await stream.async_wait_closed(use_tuple);
    co_return closed;
  }
  auto receiving = downstream(stream, local, options, shared);
  auto sending = upstream_then_wait(stream, local, options, shared);
  auto outcome = co_await first_of(receiving, sending);
  const auto ec = std::visit([](error_code e) { return e; }, outcome);
  if (ec) co_return ec;
  stream.shutdown_write();
  auto [closed] = co_await stream.async_wait_closed(use_tuple);
  co_return closed;
}

asio::awaitable<error_code> transfer(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options,
                                     Shared& shared) {
  // --no-shutdown keeps our direction open, so only the peer's EOF can end.
  const bool peer_eof_ends = options.end_at_peer_eof || !options.half_close || !options.send;
  if (peer_eof_ends) co_return co_await until_peer_eof(stream, local, options, shared);
  co_return co_await both_directions(stream, local, options, shared);
}

// Why the watchdog ended the splice.
enum class Alarm { quit, idle, stop };

// Ends the splice on -i (idle), -q (quit after local EOF) or a stop request.
asio::awaitable<Alarm> watchdog(const SpliceOptions& options, Shared& shared) {
  for (;;) {
    if (shared.stop_grace) co_return Alarm::stop;
    TimePoint deadline = TimePoint::max();
    if (options.idle_timeout) deadline = shared.last_activity + *options.idle_timeout;
    if (options.quit_after_eof && shared.local_eof_at)
      deadline = std::min(deadline, *shared.local_eof_at + *options.quit_after_eof);
    const auto now = Clock::now();
    if (now >= deadline) {
      const bool quit = options.quit_after_eof && shared.local_eof_at &&
                        now >= *shared.local_eof_at + *options.quit_after_eof;
      co_return quit ? Alarm::quit : Alarm::idle;
    }
    shared.watchdog.expires_at(deadline);
    co_await shared.watchdog.async_wait(use_tuple);
    // The timer is also cancelled to say "look again" (local EOF, a stop);
    // only a cancellation of this coroutine (the transfer ended) ends the loop.
    auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) co_return Alarm::quit;
  }
}

// A stop request: half-close, and give the peer `grace` to close too.
asio::awaitable<error_code> close_in_order(msocket::stream& stream, Duration grace) {
  stream.shutdown_write();
  asio::steady_timer timer(co_await asio::this_coro::executor, grace);
  auto closing = stream.async_wait_closed(use_tuple);
  auto expiring = timer.async_wait(use_tuple);
  auto outcome = co_await first_of(closing, expiring);
  if (outcome.index() == 0) co_return std::get<0>(std::get<0>(outcome));
  stream.abort();
  co_return error_code(asio::error::timed_out);
}

// A stopped splice without a watchdog: half-closed at once, reset if the
// peer has not closed within the grace.
struct Stopping {
  std::optional<asio::steady_timer> grace;
  bool timed_out = false;
  bool over = false;  // the splice returned: its stream may be gone
};

// Nothing to send and no -i or -q (a keep-open listener's connections): the
// only alarm is a stop request, which stop_all_splices carries out itself,
// as close_in_order would (half-close, a reset after the grace), so that
// no watchdog coroutine and `||` wait beside each of thousands of
// connections (a few KiB each). What arrives meanwhile is still written out.
asio::awaitable<error_code> splice_unwatched(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options,
                                             Shared& shared) {
  auto stopping = std::make_shared<Stopping>();
  shared.stop_now = [&stream, &shared, stopping] {
    if (stopping->grace) return;
    stream.shutdown_write();
    stopping->grace.emplace(stream.get_executor(), *shared.stop_grace);
    // After the splice returned, the wait touches nothing but `stopping`.
    stopping->grace->async_wait([&stream, stopping](const error_code& ec) {
      if (ec || stopping->over) return;
      stopping->timed_out = true;
      stream.abort();
    });
  };
  auto ec = co_await transfer(stream, local, options, shared);
  shared.stop_now = nullptr;
  stopping->over = true;
  if (stopping->grace) stopping->grace->cancel();
  local.close();
  if (stopping->timed_out) co_return error_code(asio::error::timed_out);
  co_return ec;
}

}  // namespace

asio::awaitable<error_code> splice(msocket::stream& stream, LocalEnd& local, const SpliceOptions& options) {
  Shared shared(co_await asio::this_coro::executor);
  RunningSplice listed(shared);
  shared.stop_grace = stop_grace_for_all();
  if (!options.send && !options.idle_timeout && !options.quit_after_eof && !shared.stop_grace)
    co_return co_await splice_unwatched(stream, local, options, shared);
  auto transferring = transfer(stream, local, options, shared);
  auto watching = watchdog(options, shared);
  auto outcome = co_await first_of(transferring, watching);
  local.close();
  if (outcome.index() == 0) co_return std::get<0>(outcome);
  switch (std::get<1>(outcome)) {
    case Alarm::stop:
      co_return co_await close_in_order(stream, *shared.stop_grace);
    case Alarm::idle:
      // Drop the connection rather than wait for the peer.
      stream.abort();
      log::tool()->info("idle timeout expired");
      co_return error_code(asio::error::timed_out);
    case Alarm::quit:
      break;
  }
  stream.abort();
  co_return error_code{};
}

void stop_all_splices(Duration grace) {
  stop_grace_for_all() = grace;
  for (auto* shared : running_splices()) {
    shared->stop_grace = grace;
    shared->watchdog.cancel();
    if (shared->stop_now) shared->stop_now();
  }
}

}  // namespace msocket::relay
