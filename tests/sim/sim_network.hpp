// The virtual network of the session simulator: TCP connections as pairs of
// ordered byte pipes with a delay and a rate, in virtual time. While a
// connection lives it is reliable and in order; killing it loses what is in
// flight (a random prefix may still arrive).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <vector>

#include "session/types.hpp"

namespace msocket::sim {

using Bytes = std::vector<std::byte>;

// What travels in a pipe: stream bytes, or the out-of-band events of a TCP
// connection and of its msocket handshake.
enum class SegmentKind {
  bytes,      // frames (possibly cut anywhere)
  setup,      // §2.1 SETUP carrying the client's ack and window
  setup_ack,  // §2.2 SETUP_ACK carrying the server's, or status `closed`
  eof,        // TCP FIN
  reset,      // TCP RST
};

struct Segment {
  TimePoint arrival;
  SegmentKind kind = SegmentKind::bytes;
  Bytes bytes;
  std::uint64_t ack = 0;
  std::uint64_t window = 0;
  bool refused = false;  // SETUP_ACK `closed`
  std::size_t weight() const { return kind == SegmentKind::bytes ? bytes.size() : 1; }
};

// One direction of one TCP connection.
struct Pipe {
  Duration delay{};
  double bytes_per_second = 1e6;
  TimePoint link_free{};     // when the last queued byte has left the sender
  TimePoint last_arrival{};  // arrivals never overtake each other
  bool cut = false;          // the connection was killed: nothing more gets in
  // The link stalled at this moment: what would arrive later waits for good
  // (a radio out of range; TCP keeps the connection, nothing crosses).
  std::optional<TimePoint> stalled_since;
  std::uint64_t delivered = 0;  // stream bytes that arrived (what the sender's TCP sees acked)
  std::deque<Segment> queue;

  // The front segment, if it has arrived by `now`.
  bool arrived(TimePoint now) const {
    if (queue.empty() || queue.front().arrival > now) return false;
    return !stalled_since || queue.front().arrival <= *stalled_since;
  }

  // Queues `s` sent at `now`; returns its arrival time (or nothing when cut).
  bool push(Segment s, TimePoint now) {
    if (cut) return false;
    const auto transmit = std::chrono::duration_cast<Duration>(
        std::chrono::duration<double>(static_cast<double>(s.weight()) / bytes_per_second));
    link_free = std::max(now, link_free) + transmit;
    s.arrival = std::max(link_free + delay, last_arrival);
    last_arrival = s.arrival;
    queue.push_back(std::move(s));
    return true;
  }

  // Keeps only the first `keep` units of what is in flight (a killed path
  // may still deliver a prefix), and lets nothing more in.
  void cut_after(std::size_t keep) {
    cut = true;
    std::size_t kept = 0;
    for (auto it = queue.begin(); it != queue.end(); ++it) {
      const std::size_t w = it->weight();
      if (kept + w <= keep) {
        kept += w;
        continue;
      }
      if (it->kind == SegmentKind::bytes && keep > kept) {
        it->bytes.resize(keep - kept);
        ++it;
      }
      queue.erase(it, queue.end());
      return;
    }
  }

  std::size_t in_flight() const {
    std::size_t n = 0;
    for (const auto& s : queue) n += s.weight();
    return n;
  }
};

// One end of a connection, as its endpoint's transport sees it.
struct Socket {
  bool open = true;         // still read; closed sockets discard what arrives
  bool attached = false;    // the handshake is done here: the session knows the path
  bool write_shut = false;  // we sent our TCP FIN
  Bytes partial;            // bytes of a frame that is not complete yet
  std::uint64_t written = 0;  // stream bytes sent
  std::uint64_t acked = 0;    // of which our TCP has seen acked
};

// One TCP connection carrying one flowpath. Index 0 is the client's side,
// 1 the server's, for both `pipe` (by sender) and `end`.
struct Connection {
  PathId path{};
  Pipe pipe[2];
  Socket end[2];
  bool killed = false;
};

}  // namespace msocket::sim
