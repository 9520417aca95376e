// What the kernel knows about one flowpath's TCP connection (TCP_INFO): how
// many bytes the peer's TCP has acknowledged, the smoothed RTT and the
// congestion window. The
// scheduler needs per-path delivery that the connection's cumulative ack
// cannot give: bytes a fast path carried past a slow path's gap are acked
// by the connection only once the gap fills, so the fast path would look
// as slow as the slow one (docs/scheduler.md §7).
//
// This header and its .cpp use the kernel's <linux/tcp.h>, whose struct
// tcp_info is newer than glibc's and clashes with <netinet/tcp.h>: no Asio
// here.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>

namespace msocket::transport {

// While a flowpath has bytes its peer's TCP has not acked and the session
// awaits room, the connection looks at its progress this often:
// deliveries open room for the scheduler, on that path and the others.
inline constexpr std::chrono::milliseconds kTcpProgressInterval{5};
// When nothing awaits room, at most this long between looks.
inline constexpr std::chrono::milliseconds kLongestTcpProgressInterval{200};

// How soon to look at a flowpath's progress again. Every 5 ms while the
// session awaits room (Session::awaits_room). Otherwise a delivery only
// refines the estimates, and no ack can come much sooner than half the
// path's smoothed RTT (`srtt_us`, 0 before TCP has one): a keepalive or a
// migration's SETUP_ACK on a path of 100 ms then costs about 2 looks, not
// 20, which is most of a listener's work when a thousand connections
// migrate at once.
constexpr std::chrono::milliseconds tcp_progress_interval(bool awaits_room, std::uint32_t srtt_us) {
  if (awaits_room || srtt_us == 0) return kTcpProgressInterval;
  const std::chrono::milliseconds half_rtt{srtt_us / 2000};
  return std::clamp(half_rtt, kTcpProgressInterval, kLongestTcpProgressInterval);
}

struct TcpProgress {
  std::uint64_t bytes_acked = 0;  // every byte the peer's TCP acknowledged, the SYN not counted
  std::uint32_t srtt_us = 0;      // smoothed round-trip time; 0 before the first sample
  std::uint64_t congestion_window = 0;  // bytes: snd_cwnd segments of snd_mss each
};

// TCP_INFO of the connected TCP socket `fd`; nullopt if the kernel does
// not report tcpi_bytes_acked (before Linux 4.1) or the call fails.
std::optional<TcpProgress> read_tcp_progress(int fd);

}  // namespace msocket::transport
