#include "proxy/splice_pump.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <boost/asio/steady_timer.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"

namespace msocket::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

namespace {

// A pipe whose ends close with it.
struct Pipe {
  int read_end = -1;
  int write_end = -1;
  std::size_t capacity = 64 * 1024;
  explicit Pipe(std::size_t wanted) {
    int fds[2];
    if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return;
    read_end = fds[0];
    write_end = fds[1];
    // Refused beyond the user's pipe page budget (fs.pipe-user-pages-soft):
    // the default size still works, only in smaller steps.
    if (const int got = ::fcntl(write_end, F_SETPIPE_SZ, static_cast<int>(wanted)); got > 0)
      capacity = static_cast<std::size_t>(got);
  }
  ~Pipe() {
    if (read_end >= 0) ::close(read_end);
    if (write_end >= 0) ::close(write_end);
  }
  Pipe(const Pipe&) = delete;
  Pipe& operator=(const Pipe&) = delete;
  bool ok() const { return read_end >= 0; }
};

error_code last_error() { return {errno, boost::system::system_category()}; }

// Bounds what the relay keeps of a flow (SpliceSettings::buffer_bytes): a
// relay that buffered megabytes would hide its path's rate and queue from
// the ends' scheduler, which counts bytes the relay's TCP acked as
// delivered, and one connection's window would fill up behind the slower
// of its relays (docs/results.md, "Several relays at once"). The send
// buffer stays the kernel's, so a long leg keeps all its flight.
void bound_buffers(tcp::socket& socket, std::size_t bytes) {
  if (bytes == 0) return;
  const int value = static_cast<int>(std::min<std::size_t>(bytes, 1 << 30));
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVBUF, &value, sizeof value);
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_NOTSENT_LOWAT, &value, sizeof value);
}

struct Shared {
  const SpliceSettings& settings;
  std::function<void(std::size_t)>& progress;
  TimePoint last_activity = Clock::now();
  double tokens = static_cast<double>(settings.limit.bytes);  // --flow-limit's bucket, full at first
  TimePoint refilled = Clock::now();
};

// How much one splice may move now under the flow's limit (`wanted` with
// none); waits until the bucket holds at least a byte.
asio::awaitable<std::size_t> allowance(asio::any_io_executor ex, Shared& shared, std::size_t wanted) {
  const auto& limit = shared.settings.limit;
  if (!limit.on()) co_return wanted;
  const double rate = static_cast<double>(limit.bytes) / std::chrono::duration<double>(limit.period).count();
  for (;;) {
    const auto now = Clock::now();
    shared.tokens = std::min(static_cast<double>(limit.bytes),
                             shared.tokens + rate * std::chrono::duration<double>(now - shared.refilled).count());
    shared.refilled = now;
    if (shared.tokens >= 1) co_return std::min<std::size_t>(wanted, static_cast<std::size_t>(shared.tokens));
    // Wait for a chunk's worth, not a byte's: fewer, larger splices.
    const double want = std::min(static_cast<double>(limit.bytes), 16384.0);
    asio::steady_timer pause(ex, std::chrono::duration_cast<Duration>(std::chrono::duration<double>(want / rate)));
    co_await pause.async_wait(use_tuple);
    shared.last_activity = Clock::now();  // held back, not idle
  }
}

// Waits until `socket` is ready for `what`, or the pair has been idle for
// the idle timeout (timed_out).
asio::awaitable<error_code> wait_ready(tcp::socket& socket, tcp::socket::wait_type what, Shared& shared) {
  for (;;) {
    asio::steady_timer idle(socket.get_executor(), shared.last_activity + shared.settings.idle_timeout);
    auto waiting = socket.async_wait(what, use_tuple);
    auto expiring = idle.async_wait(use_tuple);
    auto outcome = co_await first_of(waiting, expiring);
    if (outcome.index() == 0) co_return std::get<0>(std::get<0>(outcome));
    // The other direction may have moved bytes meanwhile.
    if (Clock::now() - shared.last_activity >= shared.settings.idle_timeout) co_return asio::error::timed_out;
  }
}

// One direction: from -> pipe -> to, until end of file (then to's sending
// side is shut) or an error.
asio::awaitable<error_code> pump(tcp::socket& from, tcp::socket& to, std::uint64_t& moved, Shared& shared) {
  Pipe pipe(shared.settings.pipe_bytes);
  if (!pipe.ok()) co_return last_error();
  for (;;) {
    const auto allowed = co_await allowance(from.get_executor(), shared, pipe.capacity);
    const auto in = ::splice(from.native_handle(), nullptr, pipe.write_end, nullptr, allowed,
                             SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
    if (in < 0 && errno == EINTR) continue;
    if (in < 0 && errno == EAGAIN) {
      if (auto ec = co_await wait_ready(from, tcp::socket::wait_read, shared)) co_return ec;
      continue;
    }
    if (in < 0) co_return last_error();
    if (in == 0) break;  // end of file
    shared.last_activity = Clock::now();
    shared.tokens -= static_cast<double>(in);
    auto left = static_cast<std::size_t>(in);
    while (left > 0) {
      const auto out = ::splice(pipe.read_end, nullptr, to.native_handle(), nullptr, left,
                                SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (out < 0 && errno == EINTR) continue;
      if (out < 0 && errno == EAGAIN) {
        if (auto ec = co_await wait_ready(to, tcp::socket::wait_write, shared)) co_return ec;
        continue;
      }
      if (out <= 0) co_return out < 0 ? last_error() : error_code(asio::error::broken_pipe);
      left -= static_cast<std::size_t>(out);
      moved += static_cast<std::uint64_t>(out);
      shared.last_activity = Clock::now();
      if (shared.progress) shared.progress(static_cast<std::size_t>(out));
    }
  }
  error_code ignored;
  to.shutdown(tcp::socket::shutdown_send, ignored);
  co_return error_code{};
}

// A direction that fails takes the other down with it: closing both
// sockets ends the other's wait.
asio::awaitable<error_code> pump_or_close(tcp::socket& from, tcp::socket& to, std::uint64_t& moved, Shared& shared) {
  auto ec = co_await pump(from, to, moved, shared);
  if (ec) {
    error_code ignored;
    from.close(ignored);
    to.close(ignored);
  }
  co_return ec;
}

}  // namespace

asio::awaitable<SpliceTotals> splice_both(tcp::socket& a, tcp::socket& b, const SpliceSettings& settings,
                                          std::function<void(std::size_t)> progress) {
  SpliceTotals totals;
  Shared shared{settings, progress};
  error_code ignored;
  a.native_non_blocking(true, ignored);
  b.native_non_blocking(true, ignored);
  bound_buffers(a, settings.buffer_bytes);
  bound_buffers(b, settings.buffer_bytes);
  auto forward = pump_or_close(a, b, totals.a_to_b, shared);
  auto backward = pump_or_close(b, a, totals.b_to_a, shared);
  auto [forward_ec, backward_ec] = co_await all_of(forward, backward);
  totals.clean = !forward_ec && !backward_ec;
  co_return totals;
}

}  // namespace msocket::proxy
