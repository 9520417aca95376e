// What the session knows about one flowpath.
#pragma once

#include <optional>
#include <vector>

#include "session/range_set.hpp"
#include "session/types.hpp"

namespace msocket::session {

struct PathState {
  bool live = true;
  TimePoint opened;
  TimePoint last_recv;
  TimePoint last_ping;
  std::optional<std::uint64_t> ping_token;  // PING sent, PONG not yet seen
  std::vector<std::uint64_t> pongs_due;     // PING tokens to echo
  std::optional<Duration> srtt;             // smoothed RTT from PING/PONG
  RangeSet in_flight;                       // offsets sent here, not yet acked
  std::uint64_t bytes_sent = 0;             // payload bytes, re-sends included
  std::uint64_t bytes_received = 0;
  bool fin_confirmed = false;  // time_wait: our last ack went out on this path
};

}  // namespace msocket::session
