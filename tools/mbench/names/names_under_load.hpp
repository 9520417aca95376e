// Group commit under load: many writers, each with its own key and name,
// update back to back for a while, so that updates arrive while the
// server's fdatasync runs and share the next one; meanwhile one more client
// times lookups, which must not wait behind the disk. The update rate is
// the figure to hold against the disk's own fdatasync rate.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>

#include "common/latency_summary.hpp"
#include "names/names_measure.hpp"

namespace msocket::mbench {

struct UnderLoad {
  double updates_per_second = 0;  // acknowledged (durable) updates of all writers
  LatencySummary lookup_ms;       // lookups of `lookup_name` made meanwhile
};

// Registers `workload.writers` names first, then runs the writers and the
// lookups for workload.phase_time. Throws std::runtime_error if an update or
// a lookup fails.
boost::asio::awaitable<UnderLoad> measure_updates_under_load(const NamesWorkload& workload,
                                                             const std::string& lookup_name);

}  // namespace msocket::mbench
