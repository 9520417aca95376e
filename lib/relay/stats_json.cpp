#include <chrono>
#include <cstdio>
#include <memory>
#include <sstream>

#include "msocket/text.hpp"
#include "relay/netcat.hpp"

namespace msocket::relay {

namespace {
// The JSON keeps its milliseconds with three decimals (recovery_ms, rtt_ms).
double milliseconds(std::chrono::nanoseconds d) { return std::chrono::duration<double, std::milli>(d).count(); }
}  // namespace

bool write_stats_json(const std::string& path, const std::vector<Stats>& all) {
  Stats sum;
  for (const auto& s : all) {
    sum.bytes_sent += s.bytes_sent;
    sum.bytes_received += s.bytes_received;
    sum.flowpaths_opened += s.flowpaths_opened;
    sum.migrations.insert(sum.migrations.end(), s.migrations.begin(), s.migrations.end());
  }
  std::ostringstream out;
  out << "{\"bytes_sent\":" << sum.bytes_sent << ",\"bytes_received\":" << sum.bytes_received
      << ",\"flowpaths_opened\":" << sum.flowpaths_opened << ",\"connections\":" << all.size()
      << ",\"migrations\":[";
  for (std::size_t i = 0; i < sum.migrations.size(); ++i) {
    const auto& m = sum.migrations[i];
    char line[160];
    std::snprintf(line, sizeof line, "%s{\"cause\":\"%s\",\"recovery_ms\":%.3f,\"outage_ms\":%.3f}",
                  i ? "," : "", msocket::to_string(m.cause), milliseconds(m.recovery), milliseconds(m.outage));
    out << line;
  }
  // Per flowpath, per connection: what each carried and its share of the
  // connection's bytes (both directions).
  out << "],\"paths\":[";
  bool first = true;
  for (std::size_t c = 0; c < all.size(); ++c) {
    std::uint64_t total = 0;
    for (const auto& p : all[c].paths) total += p.bytes_sent + p.bytes_received;
    for (const auto& p : all[c].paths) {
      const double share = total ? static_cast<double>(p.bytes_sent + p.bytes_received) / static_cast<double>(total) : 0;
      char line[320];
      std::snprintf(line, sizeof line,
                    "%s{\"connection\":%zu,\"path\":%u,\"local\":\"%s\",\"remote\":\"%s\",\"bytes_sent\":%llu,"
                    "\"bytes_received\":%llu,\"rtt_ms\":%.3f,\"share\":%.4f,\"live\":%s}",
                    first ? "" : ",", c, static_cast<unsigned>(to_int(p.path)), p.local.c_str(), p.remote.c_str(),
                    static_cast<unsigned long long>(p.bytes_sent), static_cast<unsigned long long>(p.bytes_received),
                    milliseconds(p.rtt), share, p.live ? "true" : "false");
      out << line;
      first = false;
    }
  }
  out << "]}\n";
  // "e": close-on-exec (glibc), as every descriptor mcat opens.
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "we"), &std::fclose);
  if (!file) return false;
  const auto text = out.str();
  return std::fwrite(text.data(), 1, text.size(), file.get()) == text.size() && std::fflush(file.get()) == 0;
}

}  // namespace msocket::relay
