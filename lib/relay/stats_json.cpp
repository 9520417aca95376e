#include <cstdio>
#include <fstream>

#include "relay/netcat.hpp"

namespace msocket::relay {

bool write_stats_json(const std::string& path, const std::vector<Stats>& all) {
  Stats sum;
  for (const auto& s : all) {
    sum.bytes_sent += s.bytes_sent;
    sum.bytes_received += s.bytes_received;
    sum.flowpaths_opened += s.flowpaths_opened;
    sum.migrations.insert(sum.migrations.end(), s.migrations.begin(), s.migrations.end());
  }
  std::ofstream out(path);
  if (!out) return false;
  out << "{\"bytes_sent\":" << sum.bytes_sent << ",\"bytes_received\":" << sum.bytes_received
      << ",\"flowpaths_opened\":" << sum.flowpaths_opened << ",\"connections\":" << all.size()
      << ",\"migrations\":[";
  for (std::size_t i = 0; i < sum.migrations.size(); ++i) {
    const auto& m = sum.migrations[i];
    char line[160];
    std::snprintf(line, sizeof line, "%s{\"cause\":\"%s\",\"recovery_ms\":%.3f,\"outage_ms\":%.3f}",
                  i ? "," : "", transport::to_string(m.cause), m.recovery_ms, m.outage_ms);
    out << line;
  }
  out << "]}\n";
  return static_cast<bool>(out);
}

}  // namespace msocket::relay
