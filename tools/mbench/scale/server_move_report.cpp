#include "scale/server_move_report.hpp"

#include <numeric>
#include <tuple>
#include <string>

#include "common/latency_summary.hpp"

namespace msocket::mbench {

namespace {

double mean_of(const std::vector<double>& values) {
  return values.empty() ? 0 : std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

}  // namespace

void add_server_move_rows(Report& report, const ServerMoveResult& r) {
  const auto key = "server_move_n" + std::to_string(r.connections) + "_rtt" + std::to_string(r.rtt.count());
  const auto at = ", " + std::to_string(r.connections) + " connections, RTT " + std::to_string(r.rtt.count()) + " ms";
  const double rtt = static_cast<double>(r.rtt.count());
  const auto s = summarize(r.migrated_ms);
  const std::string ms_chart = "server move: ip(8) to migrated (ms)";
  const std::string rtt_chart = "server move: ip(8) to migrated (RTT)";
  for (const auto& [name, value] : {std::pair{"p50", s.p50}, {"p90", s.p90}, {"max", s.max}}) {
    report.add({key + "_migrated_" + name, std::string("move to migrated ") + name + at, "ms", value, std::nullopt, "",
                ms_chart});
    report.add({key + "_migrated_" + name + "_rtt", std::string("move to migrated ") + name + " in RTTs" + at, "RTT",
                value / rtt, std::nullopt, "", rtt_chart});
  }
  report.add({key + "_noticed", "move to the listener's address event, mean" + at, "ms", mean_of(r.noticed_ms),
              std::nullopt, "", ms_chart});
  if (!r.acked_ms.empty())
    report.add({key + "_acked", "move to every RECONNECT acknowledged, mean" + at, "ms", mean_of(r.acked_ms),
                std::nullopt, "", ms_chart});
  // CPU per migration: what the move cost each process, one connection's
  // share. The listener's figure bounds how fast one listener thread can
  // take a move's MIGRATEs whatever the clients and the link do.
  const std::string cpu_chart = "server move: CPU per migration (us)";
  const double migrations = static_cast<double>(r.connections);
  for (const auto& [part, what, cpu] : {std::tuple{"listener", "the listener", &r.listener_cpu_ms},
                                        {"clients", "the client process", &r.clients_cpu_ms},
                                        {"emulator", "the link emulator", &r.emulator_cpu_ms}})
    if (!cpu->empty())
      report.add({key + "_cpu_" + part, std::string("CPU of ") + what + " per migration, mean" + at, "us",
                  mean_of(*cpu) * 1000 / migrations, std::nullopt, "", cpu_chart});
  report.targets.push_back({key + "_migrated_p90_rtt", "move to migrated p90 in RTTs" + at, s.p90 / rtt,
                            kServerMoveTargetRtts, false});
  boost::json::array exact(r.exact_after.begin(), r.exact_after.end());
  report.samples["server_moves"].as_array().push_back(
      boost::json::object{{"connections", r.connections},
                          {"rtt_ms", r.rtt.count()},
                          {"connect_seconds", r.connect_seconds},
                          {"migrated_ms", boost::json::array(r.migrated_ms.begin(), r.migrated_ms.end())},
                          {"noticed_ms", boost::json::array(r.noticed_ms.begin(), r.noticed_ms.end())},
                          {"acked_ms", boost::json::array(r.acked_ms.begin(), r.acked_ms.end())},
                          {"exact_echoes_after", exact},
                          {"listener_cpu_ms", boost::json::array(r.listener_cpu_ms.begin(), r.listener_cpu_ms.end())},
                          {"clients_cpu_ms", boost::json::array(r.clients_cpu_ms.begin(), r.clients_cpu_ms.end())},
                          {"emulator_cpu_ms", boost::json::array(r.emulator_cpu_ms.begin(), r.emulator_cpu_ms.end())}});
}

}  // namespace msocket::mbench
