// Configuration of the session layer (the shared ids and clock are in
// msocket/types.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "msocket/types.hpp"

namespace msocket::session {

using namespace std::chrono_literals;

// Which multipath scheduler decides what each flowpath sends (paper §III-C,
// docs/scheduler.md §4). An enum, not a name, so that Config owns no memory
// (it travels inside transport::Options).
enum class SchedulerPolicy : std::uint8_t {
  throughput,   // "default": striped in proportion to each path's delivery rate
  round_robin,  // "rr"
  redundant,    // "redundant": every byte on every path
  backup,       // "backup": the first path up carries all; others wait for it to fail
  prefer,       // "prefer": like backup, but a stalled path is left too
};

inline constexpr std::string_view kSchedulerPolicyNames[] = {"default", "rr", "redundant", "backup",
                                                             "prefer"};

// The scheduler registry's name of `policy` (sched::make_scheduler).
constexpr std::string_view to_string(SchedulerPolicy policy) {
  return kSchedulerPolicyNames[static_cast<std::size_t>(policy)];
}

// The policy called `name` (one of kSchedulerPolicyNames), or nullopt.
constexpr std::optional<SchedulerPolicy> parse_scheduler_policy(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kSchedulerPolicyNames); ++i)
    if (kSchedulerPolicyNames[i] == name) return static_cast<SchedulerPolicy>(i);
  return std::nullopt;
}

struct Config {
  std::size_t send_buffer = 4 << 20;  // output buffer: bytes kept until the peer acks them
  std::size_t recv_buffer = 4 << 20;  // input buffer: the window offered to the peer
  std::size_t chunk_size = 32 * 1024;  // largest DATA payload we send
  Duration keepalive_interval = 1s;    // PING on a path this long after we last pinged it
  Duration keepalive_timeout = 8s;     // a path that brings nothing for this long is dead
  Duration ack_delay = 10ms;           // an ack may wait this long for more data to ride on
  Duration linger = 24h;               // state kept while no path exists (paper §III-E)
  // After both FINs: wait this long for the peer's confirmation. Well above
  // keepalive_timeout, so a client whose path dies in time_wait has time to
  // notice, reconnect and deliver its final ack.
  Duration time_wait = 30s;
  // Which path sends which bytes (docs/protocol.md §3.2). backup and prefer
  // rank paths in the order they came up (a path re-added after a failure
  // ranks last).
  SchedulerPolicy scheduler = SchedulerPolicy::throughput;
};

}  // namespace msocket::session
