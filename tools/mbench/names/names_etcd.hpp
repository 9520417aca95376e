// mbench names --etcd: the etcd store (mnamed --store etcd=) against the
// log store, same machine, same run. Each scenario starts its own processes
// on loopback: a log-store mnamed (the baseline), then etcd clusters of one
// and of three members (127.0.R.1-3, a random R) with one and with two
// mnamed front ends on them; clients are spread over the front ends.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/latency_summary.hpp"
#include "common/progress.hpp"
#include "session/types.hpp"

namespace msocket::mbench {

struct StoreComparisonWorkload {
  std::filesystem::path mnamed;  // the program
  std::filesystem::path etcd;    // the program (Debian's etcd-server)
  std::filesystem::path scratch;  // data directories and logs
  unsigned clients = 8;           // at once, spread over the front ends
  Duration phase_time = std::chrono::seconds(2);
  unsigned watches = 200;
  std::string name_prefix;
};

// One scenario's figures.
struct StoreFigures {
  unsigned members = 0;  // etcd members; 0: the log store
  unsigned front_ends = 1;
  double lookups_per_second = 0;  // `clients` clients at once
  double updates_per_second = 0;  // `clients` clients at once, one name each
  // An update through the first front end, seen by a watch held on the
  // last one: from its acknowledgement (0 if the watch had it first) and
  // from its request.
  LatencySummary watch_from_acknowledgement_ms;
  LatencySummary watch_from_request_ms;
};

// "log store", "etcd, 3 members, 2 front ends".
std::string describe(const StoreFigures& figures);

// The log store, then etcd with 1 and 3 members and 1 and 2 front ends:
// one Progress step each. Throws std::runtime_error if a process does not
// start or an operation fails; Interrupted on SIGINT or SIGTERM.
std::vector<StoreFigures> compare_stores(const StoreComparisonWorkload& workload, Progress& progress);

}  // namespace msocket::mbench
