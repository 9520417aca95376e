// How a connection's byte stream behaves: buffer sizes, keepalives, linger,
// and the multipath scheduler (msocket::Options::session). The session layer
// runs on exactly this struct (session::Config).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string_view>

#include "msocket/types.hpp"

namespace msocket {

// Which multipath scheduler decides what each flowpath sends (paper §III-C,
// docs/scheduler.md §4). An enum, not a name, so that SessionConfig owns no
// memory (it travels inside Options; see options.hpp).
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

struct SessionConfig {
  // 8 MiB each: two paths whose RTTs a full bottleneck queue stretches to
  // 180 and 245 ms (40 and 20 Mbit/s) hold about 2.5 MB in flight, and the
  // receiver holds what the fast path delivers past the slow path's oldest
  // byte; 4 MiB closed the window in every slow start (docs/scheduler.md
  // §4.7). Both buffers grow as they fill: an idle connection does not
  // pay for them.
  std::size_t send_buffer = 8 << 20;   // output buffer: bytes kept until the peer acks them
  std::size_t recv_buffer = 8 << 20;   // input buffer: the window offered to the peer
  std::size_t chunk_size = 32 * 1024;  // largest DATA payload we send
  Duration keepalive_interval = std::chrono::seconds{1};  // PING on a path this long after we last pinged it
  Duration keepalive_timeout = std::chrono::seconds{8};   // a path that brings nothing for this long is dead
  Duration ack_delay = std::chrono::milliseconds{10};     // an ack may wait this long for more data to ride on
  Duration linger = std::chrono::hours{24};               // state kept while no path exists (paper §III-E)
  // Server: the linger of a connection that has not carried a byte either
  // way. A client that opened it and vanished (or a flood of NEWs) costs
  // memory for seconds, not for a day.
  Duration linger_unused = std::chrono::seconds{10};
  // After both FINs: wait this long for the peer's confirmation. Well above
  // keepalive_timeout, so a client whose path dies in time_wait has time to
  // notice, reconnect and deliver its final ack.
  Duration time_wait = std::chrono::seconds{30};
  // Which path sends which bytes (docs/protocol.md §3.2). backup and prefer
  // rank paths in the order they came up (a path re-added after a failure
  // ranks last).
  SchedulerPolicy scheduler = SchedulerPolicy::throughput;
};

}  // namespace msocket
