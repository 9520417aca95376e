#include "sim_download.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "core/log.hpp"

namespace msocket::sim {

double to_milliseconds(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

Scenario download(std::vector<PathSpec> paths, session::SchedulerPolicy policy, std::uint64_t bytes) {
  log::session();
  spdlog::set_level(spdlog::level::off);
  Scenario s;
  s.paths = std::move(paths);
  s.bytes = bytes;
  s.config.scheduler = policy;
  return s;
}

double ideal_ms(const std::vector<PathSpec>& paths, std::uint64_t bytes) {
  double low = 0, high = 1e6;
  while (high - low > 0.01) {
    const double t = (low + high) / 2;
    double sum = 0;
    for (const auto& p : paths)
      sum += p.mbit_per_second * 1e6 / 8 * std::max(0.0, t - to_milliseconds(p.rtt) / 2) / 1000;
    (sum < static_cast<double>(bytes) ? low : high) = t;
  }
  return high;
}

std::uint64_t sent_on(const Outcome& outcome, std::uint32_t path) {
  for (const auto& p : outcome.server_paths)
    if (to_int(p.id) == path) return p.bytes_sent;
  return 0;
}

}  // namespace msocket::sim
