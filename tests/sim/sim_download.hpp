// Scripted downloads in the session simulator (sim_world.hpp, Scenario)
// over the paper's two paths, WiFi 40 Mbit/s 80 ms RTT and LTE 20 Mbit/s
// 145 ms RTT as in the scheduler's own simulation (docs/scheduler.md §6),
// with the paper's Ideal to compare against and what each path carried.
// Shared by the multipath tests (tests/sim) and their report (bench/).
#pragma once

#include <cstdint>
#include <vector>

#include "sim_world.hpp"

namespace msocket::sim {

inline const PathSpec kWifi{40, 80ms};
inline const PathSpec kLte{20, 145ms};

// A duration as milliseconds, for bounds and reports.
double to_milliseconds(Duration d);

// A download of `bytes` from the server over `paths`, both sessions with the
// scheduler `policy`. Switches the session's logging off: the runs log path
// failures at warn.
Scenario download(std::vector<PathSpec> paths, session::SchedulerPolicy policy,
                  std::uint64_t bytes = 16ull << 20);

// The paper's Ideal (Fig. 10) in milliseconds: every path busy from the
// first write on, the bytes split so that all finish together: the least T
// with sum(rate_i * (T - rtt_i / 2)) >= bytes.
double ideal_ms(const std::vector<PathSpec>& paths, std::uint64_t bytes);

// Bytes the server sent on path `path` (copies included), 0 if it had none.
std::uint64_t sent_on(const Outcome& outcome, std::uint32_t path);

}  // namespace msocket::sim
