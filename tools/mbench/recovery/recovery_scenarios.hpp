// The three measurements of `mbench recovery`, each on a testbed it is
// given (testbed/moving_address_testbed.hpp), with real processes: mcat at
// both ends, the server echoing a paced stream (paced_feed.hpp), and mnamed
// in the router for the cases that go by name. Each returns its samples in milliseconds;
// the report (recovery_report.hpp) turns them into percentiles and RTT
// multiples. Each throws std::runtime_error, with the failing program's log,
// when a program fails or a deadline passes, and Interrupted on SIGINT or
// SIGTERM; every process it started is stopped in every case.
#pragma once

#include <chrono>
#include <filesystem>
#include <vector>

#include "common/progress.hpp"
#include "testbed/moving_address_testbed.hpp"

namespace msocket::mbench {

struct RecoveryPrograms {
  std::filesystem::path mcat, mnamed;
  std::filesystem::path log_dir;  // the programs' logs, statistics and data
  // Set for --relay: the server reserves its name on this mproxy, in the
  // router, and clients reach it by name through the relay only.
  std::filesystem::path mproxy;
  // mcat's verbosity: -vv (control frames, attempts, lookups) when --logs
  // keeps the logs to be read, else -v (the status lines measured).
  std::string mcat_verbosity = "-v";
  bool relayed() const { return !mproxy.empty(); }
};

// One case: the RTT the testbed was built with and how many moves to make.
struct RecoveryCase {
  std::chrono::milliseconds rtt{100};
  unsigned moves = 1;
};

// The client moves `moves` times during a transfer by address (by name,
// through the relay, when relayed).
struct ClientMoveSamples {
  std::vector<double> recovery_ms;  // the client's --stats migrations[].recovery_ms, one per move
  std::vector<double> seen_ms;      // from the start of the move to the client's `migrated` line
};
ClientMoveSamples measure_client_moves(testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs,
                                       const RecoveryCase& c, Progress& progress);

// `connections` clients connected by name; the server moves `moves` times
// (when relayed: its control channel to the relay moves with it, and
// the clients' flowpaths through the relay are renewed).
struct ServerMoveSamples {
  std::vector<double> recovery_ms;  // per client and move: --stats recovery_ms
  std::vector<double> seen_ms;      // per client and move: start of the move to the client's `migrated` line
};
ServerMoveSamples measure_server_moves(testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs,
                                       const RecoveryCase& c, unsigned connections, Progress& progress);

// Both ends lose their addresses at once; the client gets a new one first,
// the server after the client's retries have slowed to `rho`.
struct BothMoveSamples {
  std::vector<double> recovery_ms;            // per move: the server's new address to the client's `migrated` line
  std::vector<double> after_registration_ms;  // per move: the server's `registered` line to the client's `migrated`
  std::vector<double> update_ms;              // per move: the server's new address to its `registered` line (w)
  std::vector<double> stats_recovery_ms;      // per move: the client's --stats recovery_ms
  std::vector<double> lookup_ms;              // lookups from the client's namespace, before the moves (q)
};
// How long both ends are off the network before the client comes back,
// and how long after the client the server comes back.
inline constexpr std::chrono::milliseconds kClientAway{1000};
std::chrono::milliseconds server_away(std::chrono::milliseconds rho);
BothMoveSamples measure_both_moves(testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs, const RecoveryCase& c,
                                   std::chrono::milliseconds rho, bool watch, Progress& progress);

}  // namespace msocket::mbench
