#include "recovery/recovery_report.hpp"

#include <algorithm>
#include <cstdio>

#include "common/latency_summary.hpp"

namespace msocket::mbench {

namespace {

constexpr double kClientTargetRtts = 2.0;  // the paper's Fig. 7: about twice the RTT
constexpr double kServerTargetRtts = 2.5;  // Fig. 8: 2.5 RTT with up to 100 connections

// The nearest-rank median (a measured sample), 0 without samples.
double nearest_rank_median(const std::vector<double>& samples) { return summarize(samples).p50; }

double rtt_ms(std::chrono::milliseconds rtt) { return static_cast<double>(rtt.count()); }

std::string rtt_key(std::chrono::milliseconds rtt) { return "rtt" + std::to_string(rtt.count()); }

boost::json::array json_numbers(const std::vector<double>& values) { return boost::json::array(values.begin(), values.end()); }

// Rows for the percentiles `which` of `samples`, against `target_ms` when given.
void add_percentiles(Report& report, const std::string& key, const std::string& label, const std::vector<double>& samples,
                     std::initializer_list<const char*> which, std::optional<double> target_ms,
                     const std::string& target_label, const std::string& chart) {
  const auto s = summarize(samples);
  for (const std::string name : which) {
    const double value = name == "p50" ? s.p50 : name == "p90" ? s.p90 : name == "p99" ? s.p99 : s.max;
    report.add({key + "_" + name, label + " " + name, "ms", value, target_ms, target_ms ? target_label : "", chart});
  }
}

void add_rtt_multiple(Report& report, const std::string& key, const std::string& label, double value_ms,
                      std::chrono::milliseconds rtt, double target_rtts, const std::string& target_label) {
  report.add({key, label, "RTT", value_ms / rtt_ms(rtt), target_rtts, target_label, "recovery in RTTs"});
}

std::string two_decimals(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

// "met", or by how much it is exceeded: a recovery of 2 RTT plus the time
// the ends take to process is over a 2 RTT target by milliseconds, not RTTs.
std::string verdict(double value_ms, double target_ms) {
  if (value_ms <= target_ms) return "met";
  return "exceeded by " + two_decimals(value_ms - target_ms) + " ms (" +
         two_decimals(100 * (value_ms - target_ms) / target_ms) + "%)";
}

void add_client_rows(Report& report, boost::json::array& cases, const ClientCaseResult& c) {
  const auto key = "client_" + rtt_key(c.rtt);
  const auto label = "client move, RTT " + std::to_string(c.rtt.count()) + " ms:";
  const std::string target = "paper target: 2 RTT";
  const double target_ms = kClientTargetRtts * rtt_ms(c.rtt);
  add_percentiles(report, key + "_recovery", label + " recovery", c.samples.recovery_ms, {"p50", "max"}, target_ms, target,
                  "client move: recovery (ms)");
  add_rtt_multiple(report, key + "_recovery_p50_rtt", label + " recovery p50 in RTTs", nearest_rank_median(c.samples.recovery_ms), c.rtt,
                   kClientTargetRtts, target);
  add_percentiles(report, key + "_seen", label + " move to migrated", c.samples.seen_ms, {"p50", "max"}, target_ms, target,
                  "client move: recovery (ms)");
  cases.push_back({{"scenario", "client"}, {"rtt_ms", c.rtt.count()}, {"recovery_ms", json_numbers(c.samples.recovery_ms)},
                   {"seen_ms", json_numbers(c.samples.seen_ms)}});
}

void add_server_rows(Report& report, boost::json::array& cases, const ServerCaseResult& c) {
  const auto key = "server_" + rtt_key(c.rtt) + "_n" + std::to_string(c.connections);
  const auto label = "server move, " + std::to_string(c.connections) + " connections, RTT " + std::to_string(c.rtt.count()) +
                     " ms:";
  const std::string target = "paper target: 2.5 RTT";
  const double target_ms = kServerTargetRtts * rtt_ms(c.rtt);
  add_percentiles(report, key + "_seen", label + " move to migrated", c.samples.seen_ms, {"p50", "p90", "p99", "max"},
                  target_ms, target, "server move: recovery (ms)");
  add_rtt_multiple(report, key + "_seen_p90_rtt", label + " move to migrated p90 in RTTs", summarize(c.samples.seen_ms).p90,
                   c.rtt, kServerTargetRtts, target);
  add_percentiles(report, key + "_recovery", label + " recovery (stats)", c.samples.recovery_ms, {"p50", "p90", "max"},
                  target_ms, target, "server move: recovery (ms)");
  cases.push_back({{"scenario", "server"}, {"rtt_ms", c.rtt.count()}, {"connections", c.connections},
                   {"recovery_ms", json_numbers(c.samples.recovery_ms)}, {"seen_ms", json_numbers(c.samples.seen_ms)}});
}

std::string both_key(const BothCaseResult& c) {
  return "both_" + rtt_key(c.rtt) + "_rho" + std::to_string(c.rho.count()) + (c.watch ? "_watch" : "_nowatch");
}

void add_both_rows(Report& report, boost::json::array& cases, const BothCaseResult& c) {
  const auto key = both_key(c);
  const auto label = std::string("both move, rho ") + std::to_string(c.rho.count()) + " ms, " +
                     (c.watch ? "watch" : "no watch") + ", RTT " + std::to_string(c.rtt.count()) + " ms:";
  const std::string bound = c.watch ? "paper bound: q + w + 2 RTT (medians of q, w)"
                                    : "paper bound: rho + q + w + 2 RTT (medians of q, w)";
  const auto& s = c.samples;
  add_percentiles(report, key + "_recovery", label + " recovery", s.recovery_ms, {"p50", "max"}, c.bound_ms(), bound,
                  "both move: recovery (ms)");
  add_percentiles(report, key + "_after_registration", label + " registered to migrated", s.after_registration_ms,
                  {"p50", "max"}, std::nullopt, "", "both move: recovery (ms)");
  add_percentiles(report, key + "_update", label + " update time w", s.update_ms, {"p50"}, std::nullopt, "",
                  "both move: q and w (ms)");
  add_percentiles(report, key + "_lookup", label + " query time q", s.lookup_ms, {"p50"}, std::nullopt, "",
                  "both move: q and w (ms)");
  add_percentiles(report, key + "_stats_recovery", label + " recovery (stats)", s.stats_recovery_ms, {"p50"}, std::nullopt,
                  "", "both move: recovery (ms)");
  cases.push_back({{"scenario", "both"}, {"rtt_ms", c.rtt.count()}, {"rho_ms", c.rho.count()}, {"watch", c.watch},
                   {"bound_ms", c.bound_ms()}, {"recovery_ms", json_numbers(s.recovery_ms)},
                   {"after_registration_ms", json_numbers(s.after_registration_ms)},
                   {"update_ms", json_numbers(s.update_ms)}, {"lookup_ms", json_numbers(s.lookup_ms)},
                   {"stats_recovery_ms", json_numbers(s.stats_recovery_ms)}});
}

// One line per scenario: is the paper's target met, by the median and by every sample?
void add_verdicts(Report& report, const RecoveryResults& r) {
  for (const auto& c : r.client) {
    const double target = kClientTargetRtts * rtt_ms(c.rtt), p50 = nearest_rank_median(c.samples.recovery_ms);
    const double worst = summarize(c.samples.recovery_ms).max;
    report.notes.push_back("client move, RTT " + std::to_string(c.rtt.count()) + " ms: recovery p50 " +
                           two_decimals(p50 / rtt_ms(c.rtt)) + " RTT, max " +
                           two_decimals(worst / rtt_ms(c.rtt)) + " RTT; target 2 RTT " +
                           verdict(p50, target) + " by the median, " + verdict(worst, target) + " by the worst move");
  }
  for (const auto& c : r.server) {
    const double target = kServerTargetRtts * rtt_ms(c.rtt);
    const auto seen = summarize(c.samples.seen_ms);
    report.notes.push_back("server move, " + std::to_string(c.connections) + " connections, RTT " +
                           std::to_string(c.rtt.count()) + " ms: move to migrated p50 " +
                           two_decimals(seen.p50 / rtt_ms(c.rtt)) + " RTT, p90 " +
                           two_decimals(seen.p90 / rtt_ms(c.rtt)) + " RTT; target 2.5 RTT " +
                           verdict(seen.p90, target) + " at p90, " + verdict(seen.max, target) + " by the slowest client");
  }
  for (const auto& c : r.both) {
    const auto s = summarize(c.samples.recovery_ms);
    report.notes.push_back("both move, rho " + std::to_string(c.rho.count()) + " ms, " + (c.watch ? "watch" : "no watch") +
                           ": recovery max " + std::to_string(static_cast<long>(s.max)) + " ms, bound " +
                           std::to_string(static_cast<long>(c.bound_ms())) + " ms: " + verdict(s.max, c.bound_ms()));
  }
}

}  // namespace

double BothCaseResult::bound_ms() const {
  return (watch ? 0.0 : static_cast<double>(rho.count())) + nearest_rank_median(samples.lookup_ms) + nearest_rank_median(samples.update_ms) +
         2 * rtt_ms(rtt);
}

Report build_recovery_report(const RecoveryResults& results, boost::json::object settings) {
  Report report{"recovery-" + results.scenario, "msocket", "target", std::move(settings), {}, {}, {}, results.testbed, {}, {}};
  boost::json::array cases;
  for (const auto& c : results.client) add_client_rows(report, cases, c);
  for (const auto& c : results.server) add_server_rows(report, cases, c);
  for (const auto& c : results.both) add_both_rows(report, cases, c);
  report.samples["cases"] = std::move(cases);
  if (!results.client.empty())
    report.notes.push_back("client: recovery = the client's --stats recovery_ms (new address to new flowpath up); "
                           "move to migrated = start of the ip(8) move to the client's `migrated` line");
  if (!results.server.empty())
    report.notes.push_back("server: move to migrated (the paper's measure) = start of the server's ip(8) move to each "
                           "client's `migrated` line; recovery (stats) = each client's recovery_ms, from the RECONNECT "
                           "(through a relay: from the relay's close of its flowpath)");
  if (!results.both.empty())
    report.notes.push_back("both: recovery = the server's new address to the client's `migrated` line (the paper times it "
                           "from both ends being back); w = the server's new address to its `registered` line; q = a "
                           "lookup from the client's namespace on a new connection");
  add_verdicts(report, results);
  return report;
}

}  // namespace msocket::mbench
