// Joins two TCP sockets, each one's bytes to the other, with splice(2)
// through a pipe per direction: the bytes never enter user space, and a
// slow reader holds the writer back (TCP backpressure) instead of anything
// being dropped or buffered here. The relay's only data path. splice(2)
// into a socket whose peer reset it raises SIGPIPE (it takes no
// MSG_NOSIGNAL): a process that splices must ignore SIGPIPE, as mproxy does.
#pragma once

#include <cstdint>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/types.hpp"

namespace msocket::proxy {

struct SpliceTotals {
  std::uint64_t a_to_b = 0;
  std::uint64_t b_to_a = 0;
  bool clean = false;  // both directions ended with end of file, passed on as such
};

// mproxy --flow-limit: at most `bytes` every `period` through one flow, both
// directions together; a token bucket that holds one period's worth. The
// sender is held back (TCP backpressure), nothing is dropped.
struct FlowLimit {
  std::uint64_t bytes = 0;  // 0: no limit
  Duration period = std::chrono::seconds(1);
  bool on() const { return bytes > 0 && period > Duration::zero(); }
};

struct SpliceSettings {
  Duration idle_timeout = std::chrono::minutes(10);  // no byte either way for this long ends both
  std::size_t pipe_bytes = 256 * 1024;              // asked of F_SETPIPE_SZ; the default if refused
  // What the relay holds of a flow per direction beyond the bytes in
  // flight: each half's receive buffer (SO_RCVBUF) and its unsent bytes
  // (TCP_NOTSENT_LOWAT). 0 leaves both to the kernel, whose autotuning
  // lets a relay hold megabytes that the sending end counts as delivered.
  std::size_t buffer_bytes = 512 * 1024;
  FlowLimit limit;
};

// Runs until both directions have ended: an end of file from one socket is
// passed to the other as shutdown(SHUT_WR). An error or the idle timeout on
// either closes both sockets. `progress` (may be empty) hears of the bytes
// as they move.
boost::asio::awaitable<SpliceTotals> splice_both(boost::asio::ip::tcp::socket& a, boost::asio::ip::tcp::socket& b,
                                                 const SpliceSettings& settings,
                                                 std::function<void(std::size_t)> progress);

}  // namespace msocket::proxy
