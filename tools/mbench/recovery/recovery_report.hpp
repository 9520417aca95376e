// The results of `mbench recovery` as a Report (common/report.hpp): percentiles in
// milliseconds and in RTTs, each next to the paper's target or bound as its
// baseline (ratio <= 1: within it), the raw samples in JSON, and charts in
// the shape of the paper's figures (recovery vs RTT, the CDF over the
// clients of a server move, recovery vs rho).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "common/report.hpp"
#include "recovery/recovery_scenarios.hpp"

namespace msocket::mbench {

struct ClientCaseResult {
  std::chrono::milliseconds rtt;
  ClientMoveSamples samples;
};

struct ServerCaseResult {
  std::chrono::milliseconds rtt;
  unsigned connections = 0;
  ServerMoveSamples samples;
};

struct BothCaseResult {
  std::chrono::milliseconds rtt, rho;
  bool watch = true;
  BothMoveSamples samples;
  // The paper's bound, (rho +) q + w + 2 RTT, with the medians of q and w.
  double bound_ms() const;
};

struct RecoveryResults {
  std::string scenario;  // "client", "server", "both"
  std::vector<ClientCaseResult> client;
  std::vector<ServerCaseResult> server;
  std::vector<BothCaseResult> both;
  std::string testbed;  // what ran and what moved, for the charts' titles
};

// The report: rows, notes (which targets are met) and samples; `settings`
// as given.
Report build_recovery_report(const RecoveryResults& results, boost::json::object settings);

// Writes DIR/recovery-SCENARIO.{gp,png,svg}; throws if gnuplot fails.
void plot_recovery(const RecoveryResults& results, const std::filesystem::path& dir);

}  // namespace msocket::mbench
