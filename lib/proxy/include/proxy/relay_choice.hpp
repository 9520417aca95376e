// Choosing relays by distance (mcat --relays, --proxy auto; docs/protocol.md
// §5.8): the connect time to each candidate's control port orders them,
// the load the pool's records carry breaks ties, and after the server
// moves a nearer relay may take the place of one in use. Pure: the probes
// are made elsewhere (probe_relay).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "msocket/types.hpp"

namespace msocket::proxy {

struct RelayDistance {
  std::string relay;                    // "HOST:PORT" of its control port
  std::optional<Duration> connect_time;  // nullopt: out of reach
  std::uint32_t load = 0;                // thousandths of its capacity, as its pool record says
};

// Connect times this close are as near as makes no difference: within
// 2 ms (noise on a LAN) or a quarter of the nearer one (noise on a WAN).
bool as_near(Duration a, Duration b);

// The relays nearest first, those out of reach last. Of the relays as near
// as the nearest one left, the least loaded goes first; equal loads keep
// the order given.
std::vector<std::string> by_distance(std::vector<RelayDistance> distances);

// After a move: the relays in use that give way, each with the relay that
// takes its place. One in use that is out of reach, or more than twice as
// far as the nearest unused reachable one and at least 2 ms farther (so
// that noise on a LAN moves nothing), gives way to it; the farthest in use
// go first, to the nearest unused.
std::vector<std::pair<std::string, std::string>> nearer_relays(const std::vector<RelayDistance>& distances,
                                                               const std::vector<std::string>& in_use);

}  // namespace msocket::proxy
