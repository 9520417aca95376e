#include "multipath/handover_report.hpp"

#include <cstdio>
#include <sstream>

#include "common/plot.hpp"

namespace msocket::mbench {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kBucketSeconds = kBucket.count() / 1000.0;

// The longest run of buckets without payload from the loss on: how long
// the download stood still before the remaining path carried it.
double longest_stall_seconds(const PatternDownloadResult& r) {
  if (!r.event_seconds) return 0;
  std::size_t longest = 0, current = 0;
  const auto from = static_cast<std::size_t>(*r.event_seconds / kBucketSeconds);
  for (std::size_t i = from; i < r.bucket_bytes.size(); ++i) {
    current = r.bucket_bytes[i] == 0 ? current + 1 : 0;
    longest = std::max(longest, current);
  }
  return static_cast<double>(longest) * kBucketSeconds;
}

// Mbit/s per bucket.
boost::json::array rates(const std::vector<std::uint64_t>& bytes) {
  boost::json::array out;
  for (const auto b : bytes) out.push_back(8.0 * static_cast<double>(b) / kBucketSeconds / 1e6);
  return out;
}

}  // namespace

std::string HandoverCase::describe(const std::array<testbed::PathShape, 2>& shapes) const {
  if (paths == 1) return "one path, " + shapes[lost].name + " lost (moves to " + shapes[1 - lost].name + ")";
  return "two paths, " + shapes[lost].name + " lost";
}

std::string HandoverCase::key(const std::array<testbed::PathShape, 2>& shapes) const {
  return std::string(paths == 1 ? "one" : "two") + "-path-" + shapes[lost].name + "-lost";
}

DownloadTable handover_table(const HandoverResults& results) {
  DownloadTable table;
  table.benchmark = "handover";
  const auto& p = results.paths;
  table.columns = {{"case", "case"}, {"scheme", "scheme"}, {"seconds", "time s"}, {"lost_at_seconds", "lost at s"},
                   {"stall_seconds", "stall s"}, {"goodput_before_mbit_s", "before Mbit/s"},
                   {"goodput_after_mbit_s", "after Mbit/s"}, {p[0].name + "_mib", p[0].name + " MiB"},
                   {p[1].name + "_mib", p[1].name + " MiB"}, {"status", "status"}};
  boost::json::array series;
  for (const auto& c : results.cases) {
    for (const auto& [name, outcome] : c.schemes) {
      std::optional<double> seconds, lost_at, stall, before, after, first_mib, second_mib;
      if (!outcome.runs.empty()) {
        const auto& r = outcome.runs.front();
        seconds = r.seconds;
        stall = longest_stall_seconds(r);
        first_mib = static_cast<double>(r.device_bytes[0]) / kMiB;
        second_mib = static_cast<double>(r.device_bytes[1]) / kMiB;
        if (r.event_seconds) {
          lost_at = *r.event_seconds;
          const double bits_before = 8.0 * static_cast<double>(r.bytes) / 3;
          before = bits_before / *lost_at / 1e6;
          if (r.seconds > *lost_at) after = (8.0 * static_cast<double>(r.bytes) - bits_before) / (r.seconds - *lost_at) / 1e6;
        }
        boost::json::array first, second;
        for (const auto& d : r.bucket_device_bytes) {
          first.push_back(8.0 * static_cast<double>(d[0]) / kBucketSeconds / 1e6);
          second.push_back(8.0 * static_cast<double>(d[1]) / kBucketSeconds / 1e6);
        }
        series.push_back({{"case", c.handover.key(p)}, {"scheme", name}, {"bucket_ms", kBucket.count()},
                          {"lost_at_seconds", number_or_null(lost_at)}, {"goodput_mbit_s", rates(r.bucket_bytes)},
                          {p[0].name + "_mbit_s", std::move(first)}, {p[1].name + "_mbit_s", std::move(second)}});
      }
      table.rows.push_back({boost::json::string(c.handover.describe(p)), boost::json::string(name),
                            number_or_null(seconds), number_or_null(lost_at), number_or_null(stall),
                            number_or_null(before), number_or_null(after), number_or_null(first_mib),
                            number_or_null(second_mib),
                            boost::json::string(outcome.problem.value_or(outcome.runs.empty() ? "no run" : "ok, bytes checked"))});
    }
  }
  table.samples["series"] = std::move(series);
  boost::json::array paths;
  for (const auto& shape : p)
    paths.push_back({{"name", shape.name}, {"rate_bits_per_second", shape.rate},
                     {"rtt_ms", static_cast<double>(shape.rtt.count()) / 1000}});
  table.settings = {{"paths", std::move(paths)}, {"size_bytes", results.bytes}, {"lost_at_fraction", 1.0 / 3}};
  table.notes = results.notes;
  table.notes.push_back("one download of " + format_size(results.bytes) + " per row; the path's client address is deleted "
                        "once 1/3 has arrived; stall = longest time without payload after that (100 ms steps); "
                        "before/after = goodput either side of the loss; MiB = IP bytes received per client device");
  return table;
}

// Figs. 13-16's shape: goodput per 100 ms against time, one panel per case,
// the loss marked.
void plot_handover(const HandoverResults& results, const std::filesystem::path& dir) {
  std::ostringstream body;
  const std::size_t columns = results.cases.size() > 1 ? 2 : 1, rows = (results.cases.size() + 1) / 2;
  body << "set multiplot layout " << rows << "," << columns << " title 'mbench handover: goodput per 100 ms'\n"
       << "set xlabel 'time (s)'\nset ylabel 'goodput (Mbit/s)'\nset grid\nset key top right\nset yrange [0:*]\n";
  std::size_t block = 0;
  for (const auto& c : results.cases) {
    body << "set title " << gnuplot_quoted(c.handover.describe(results.paths)) << "\nunset arrow\n";
    std::ostringstream plot;
    for (const auto& [name, outcome] : c.schemes) {
      if (outcome.runs.empty()) continue;
      const auto& r = outcome.runs.front();
      body << "$h" << block << " << EOD\n";
      for (std::size_t i = 0; i < r.bucket_bytes.size(); ++i)
        body << (static_cast<double>(i) + 0.5) * kBucketSeconds << ' '
             << 8.0 * static_cast<double>(r.bucket_bytes[i]) / kBucketSeconds / 1e6 << '\n';
      body << "EOD\n";
      if (r.event_seconds)
        body << "set arrow from " << *r.event_seconds << ", graph 0 to " << *r.event_seconds
             << ", graph 1 nohead dashtype 2\n";
      plot << (plot.tellp() ? ", " : "plot ") << "$h" << block++ << " using 1:2 with lines title " << gnuplot_quoted(name + " (loss: dashed)");
    }
    body << (plot.tellp() ? plot.str() : "plot 0 notitle") << "\n";
  }
  body << "unset multiplot\n";
  draw_chart({"handover", "mbench handover", std::to_string(560 * columns) + "," + std::to_string(400 * rows), body.str()},
             dir);
}

void write_handover_results(const HandoverResults& results, const OutputOptions& output) {
  const auto table = handover_table(results);
  auto outputs = download_table_outputs(table);
  outputs.plot = [&results](const std::filesystem::path& dir) { plot_handover(results, dir); };
  write_outputs(outputs, output);
}

}  // namespace msocket::mbench
