// What the session knows about one flowpath.
#pragma once

#include <optional>
#include <vector>

#include <boost/container/devector.hpp>

#include "session/range_set.hpp"
#include "session/types.hpp"

namespace msocket::session {

// DATA frames sent on a path whose arrival is not confirmed yet, in send
// order; consecutive frames may share one entry. Confirmed by the path's TCP
// (Session::path_delivered) or by the connection's ack, whichever comes first.
struct SentFrames {
  std::uint64_t wire_end = 0;     // the path's output count (poll_transmit bytes) after them
  std::uint64_t payload_end = 0;  // the path's payload count after them
  Range range;                    // their stream offsets (the FIN counts one)
};

struct PathState {
  bool live = true;
  TimePoint opened;
  TimePoint last_recv;
  TimePoint last_ping;
  std::optional<std::uint64_t> ping_token;  // PING sent, PONG not yet seen
  std::vector<std::uint64_t> pongs_due;     // PING tokens to echo
  std::optional<Duration> srtt;             // smoothed RTT from PING/PONG (or the handshake)
  RangeSet in_flight;                       // offsets sent here, not yet acked
  std::uint64_t bytes_sent = 0;             // payload bytes, re-sends included
  std::uint64_t bytes_received = 0;
  bool fin_confirmed = false;  // time_wait: our last ack went out on this path

  // Multipath scheduling (docs/protocol.md §3.2, docs/scheduler.md §7).
  // Devectors, not std::deques: an empty one allocates nothing (an idle
  // path has neither), where libstdc++'s deque takes 576 bytes at once.
  boost::container::devector<Range> owed;              // given to this path by the scheduler, not yet framed
  boost::container::devector<SentFrames> unconfirmed;  // framed, arrival not yet confirmed
  std::uint64_t wire_sent = 0;          // bytes poll_transmit returned for this path
  std::uint64_t wire_acked = 0;         // of which the path's TCP has acked (path_delivered)
  std::uint64_t payload_confirmed = 0;  // payload bytes reported to the scheduler as delivered
  bool tcp_reports = false;             // the transport reports TCP acks (path_delivered)
  bool tcp_rtt = false;                 // the transport gives TCP's RTT: PING samples not needed
};

}  // namespace msocket::session
