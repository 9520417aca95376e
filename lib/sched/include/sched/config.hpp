// Basic types and tunables of the multipath scheduler (docs/scheduler.md).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "msocket/types.hpp"

namespace msocket::sched {

using namespace std::chrono_literals;

// Half-open range [begin, end) of stream offsets.
struct ByteRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t size() const { return end - begin; }
  bool operator==(const ByteRange&) const = default;
};

using BytesPerSecond = double;
using Seconds = std::chrono::duration<double>;

struct Config {
  // Largest range handed out at once: one DATA frame (docs/protocol.md §2.3).
  std::size_t chunk_size = 32 * 1024;
  // Warm-up: before a path has delivered anything measurable its rate is
  // taken to be this many bytes per RTT, so paths start RTT-proportional
  // (paper §III-C). Only the ratio between paths matters much.
  std::size_t initial_window = 256 * 1024;
  // RTT assumed for a path that has no sample yet (no handshake RTT given).
  Duration initial_rtt = 100ms;
  // A path is given at most this many of its RTTs' worth of bytes not yet
  // delivered: enough to keep it busy between two decisions, little enough
  // that a path that slows down strands few bytes in its socket buffer.
  double backlog_rtts = 2.0;
  // A path whose TCP reports its congestion window is also given that
  // window and this many more of its RTTs at its rate: a TCP that has bytes
  // to send whenever its window opens is never application-limited, so its
  // slow start (or BBR's startup) runs as for a bulk transfer, while the
  // bytes waiting in its socket stay a fraction of an RTT.
  double unsent_rtts = 0.5;
  // How often, at worst, the caller reports deliveries while a path holds
  // bytes (the transport looks at TCP's progress every 5 ms): the backlog
  // cap counts at least this long as one RTT.
  Duration feedback_interval = 5ms;
  // A path that has been given bytes and delivered nothing for this many
  // RTTs (and at least stall_floor) is treated as slowing down: its rate
  // estimate shrinks with the silence, so other paths re-send what it holds.
  double stall_rtts = 1.0;
  Duration stall_floor = 20ms;
  // Backup paths (PathPriority::backup) stay hidden until every regular
  // path has been silent this many RTTs (and at least backup_floor) while
  // holding bytes: a failure, as MPTCP's retransmission timeout judges a
  // subflow, not the short silences of a queue that a stall already is.
  double backup_rtts = 4.0;
  Duration backup_floor = 200ms;
  // backup, prefer: most preferred path first. Paths not listed rank after
  // the listed ones, in the order they came up.
  std::vector<PathId> preference;
};

}  // namespace msocket::sched
