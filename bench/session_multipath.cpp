// A 16 MiB download striped over WiFi and LTE in the session simulator
// (tests/sim/sim_download.hpp: both sessions, the real frames, virtual
// time), under each scheduling policy, with and without TCP's delivery
// reports, and with a path that fails or stalls at 1 s: the table of
// docs/scheduler.md §7. Each time is printed with its ratio to WiFi alone,
// simulated in the same run, and to the paper's Ideal.
#include <cstdio>
#include <string>

#include "command_line.hpp"
#include "session/types.hpp"
#include "sim_download.hpp"

namespace {

using namespace msocket::sim;
using msocket::session::SchedulerPolicy;

struct Row {
  std::string name;
  Scenario scenario;
};

// A run's outcome and, if it closed with everything read (ok), its time
// from the server's first write to the client's last read.
struct Measured {
  bool ok = false;
  double ms = 0;
  Outcome outcome;
};

Measured measure(const Scenario& s) {
  Measured m;
  m.outcome = simulate(s);
  m.ok = m.outcome.ok && m.outcome.download_done;
  if (m.ok) m.ms = to_milliseconds(*m.outcome.download_done - s.write_at);
  return m;
}

std::vector<Row> rows() {
  std::vector<Row> rows;
  for (auto policy : {SchedulerPolicy::throughput, SchedulerPolicy::round_robin, SchedulerPolicy::redundant,
                      SchedulerPolicy::backup, SchedulerPolicy::prefer}) {
    const std::string name(msocket::session::to_string(policy));
    rows.push_back({name, download({kWifi, kLte}, policy)});
    rows.push_back({name + ", no TCP reports", download({kWifi, kLte}, policy)});
    rows.back().scenario.tcp_feedback = false;
  }
  rows.push_back({"LTE alone", download({kLte}, SchedulerPolicy::throughput)});
  for (std::size_t path : {0, 1}) {
    for (auto kind : {PathEvent::Kind::fail, PathEvent::Kind::stall}) {
      auto s = download({kWifi, kLte}, SchedulerPolicy::throughput);
      s.config.keepalive_timeout = 60s;
      s.events.push_back({path, s.write_at + 1s, kind});
      rows.push_back({std::string(path == 0 ? "default, WiFi" : "default, LTE") +
                          (kind == PathEvent::Kind::fail ? " fails" : " stalls") + " at 1 s",
                      s});
    }
  }
  return rows;
}

void print_row(const std::string& name, const Scenario& s, const Measured& m, double wifi_ms) {
  if (!m.ok) {
    std::printf("%-34s failed: %s\n", name.c_str(), m.outcome.failure.c_str());
    return;
  }
  const double ideal = ideal_ms(s.paths, s.bytes);
  std::printf("%-34s %9.1f %7.3f %9.1f %7.3f %9.2f %9.2f\n", name.c_str(), m.ms, m.ms / wifi_ms, ideal,
              m.ms / ideal, static_cast<double>(sent_on(m.outcome, 0)) / (1 << 20),
              static_cast<double>(sent_on(m.outcome, 1)) / (1 << 20));
}

}  // namespace

int main(int argc, char** argv) {
  bench::po::options_description options("Options");
  bench::po::variables_map values;
  if (const auto status = bench::parse_command_line(
          argc, argv, options, values, "usage: bench_session_multipath\n",
          "A 16 MiB download over WiFi (40 Mbit/s, 80 ms) and LTE (20 Mbit/s, 145 ms) in the session\n"
          "simulator, in virtual time: every policy, with and without TCP's delivery reports, and a\n"
          "path that fails or stalls at 1 s. Milliseconds from the first write to the last read, next\n"
          "to WiFi alone (same run) and the Ideal; MiB each path sent. Exit status: 0 success, 1 a\n"
          "run failed, 2 usage error.\n"))
    return *status;
  const auto wifi_scenario = download({kWifi}, SchedulerPolicy::throughput);
  const auto wifi = measure(wifi_scenario);
  if (!wifi.ok) {
    std::fprintf(stderr, "bench_session_multipath: WiFi alone failed: %s\n", wifi.outcome.failure.c_str());
    return 1;
  }
  std::printf("%-34s %9s %7s %9s %7s %9s %9s\n", "16 MiB, WiFi + LTE", "ms", "x WiFi", "ideal", "x ideal",
              "WiFi MiB", "LTE MiB");
  print_row("WiFi alone", wifi_scenario, wifi, wifi.ms);
  bool all_ok = true;
  for (const auto& row : rows()) {
    const auto m = measure(row.scenario);
    all_ok = all_ok && m.ok;
    print_row(row.name, row.scenario, m, wifi.ms);
  }
  return all_ok ? 0 : 1;
}
