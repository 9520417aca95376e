#include "multipath/handover_report.hpp"

#include <cstdio>
#include <sstream>

#include "common/plot.hpp"
#include "common/timeline_plot.hpp"
#include "testbed/time_series.hpp"

namespace msocket::mbench {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;
constexpr double kBucketSeconds = kBucket.count() / 1000.0;
constexpr std::chrono::milliseconds kRateWindow{500};  // five buckets: bursts of reordered data average out

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

// What the benchmark did at the loss, in the words of the chart.
std::string lost_event(const HandoverCase& c, const std::array<testbed::PathShape, 2>& shapes) {
  return shapes[c.lost].name + " address deleted";
}

// The chart's title, from the run's own settings.
std::vector<std::string> handover_caption(const HandoverResults& results) {
  return {"mbench handover: a " + format_size(results.bytes) + " download loses a path: the client's address on it is "
          "deleted once 1/3 has arrived",
          "testbed: " + describe_paths(results.paths) + " (emulated by mbench link; server behind a router)"};
}

// The running total of `per_bucket`, for JSON.
boost::json::array running_total(std::span<const std::uint64_t> per_bucket) {
  const auto totals = testbed::cumulative(per_bucket);
  return boost::json::array(totals.begin(), totals.end());
}

// One download's series for JSON, per 100 ms bucket: the goodput and each
// device's rate; the running totals of the payload and of each device; the
// payload's rate over kRateWindow (what the chart draws).
boost::json::object handover_series(const HandoverCase& c, const std::string& scheme, const PatternDownloadResult& r,
                                    const std::array<testbed::PathShape, 2>& p) {
  boost::json::array first_rate, second_rate, windowed;
  std::vector<std::uint64_t> first, second;
  for (const auto& d : r.bucket_device_bytes) {
    first_rate.push_back(8.0 * static_cast<double>(d[0]) / kBucketSeconds / 1e6);
    second_rate.push_back(8.0 * static_cast<double>(d[1]) / kBucketSeconds / 1e6);
    first.push_back(d[0]);
    second.push_back(d[1]);
  }
  for (const double bits : testbed::sliding_window_rate(r.bucket_bytes, kBucket, kRateWindow)) windowed.push_back(bits / 1e6);
  return {{"case", c.key(p)}, {"scheme", scheme}, {"bucket_ms", kBucket.count()},
          {"lost_at_seconds", number_or_null(r.event_seconds)}, {"event", lost_event(c, p)},
          {"goodput_mbit_s", rates(r.bucket_bytes)}, {p[0].name + "_mbit_s", std::move(first_rate)},
          {p[1].name + "_mbit_s", std::move(second_rate)}, {"received_bytes", running_total(r.bucket_bytes)},
          {p[0].name + "_received_bytes", running_total(first)}, {p[1].name + "_received_bytes", running_total(second)},
          {"rate_window_ms", kRateWindow.count()}, {"rate_mbit_s", std::move(windowed)}};
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
        series.push_back(handover_series(c.handover, name, r, p));
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
  table.settings = {{"paths", std::move(paths)}, {"testbed", describe_paths(p)}, {"size_bytes", results.bytes},
                    {"lost_at_fraction", 1.0 / 3}};
  table.notes = results.notes;
  table.notes.push_back("one download of " + format_size(results.bytes) + " per row; the path's client address is deleted "
                        "once 1/3 has arrived; stall = longest time without payload after that (100 ms steps); "
                        "before/after = goodput either side of the loss; MiB = IP bytes received per client device");
  return table;
}

// Figs. 13-16's shape, readable: per case (a row) and scheme (a column)
// the bytes received so far, in all and per client device, the payload's
// rate over a sliding window, and the loss as a labelled line; the title
// says the testbed.
void plot_handover(const HandoverResults& results, const std::filesystem::path& dir) {
  std::ostringstream body;
  const std::size_t columns = 2, rows = std::max<std::size_t>(results.cases.size(), 1);
  body << "set multiplot layout " << rows << "," << columns << " title " << gnuplot_lines(handover_caption(results))
       << "\nset grid\nset key below maxrows 2\n";
  std::size_t panel = 0;
  for (const auto& c : results.cases) {
    double longest = 0;
    for (const auto& [name, outcome] : c.schemes)
      if (!outcome.runs.empty()) longest = std::max(longest, outcome.runs.front().seconds);
    for (const auto& [name, outcome] : c.schemes) {
      const auto title = c.handover.describe(results.paths) + ": " + name;
      if (outcome.runs.empty()) {
        body << "set title " << gnuplot_quoted(title + " (" + outcome.problem.value_or("no run") + ")")
             << "\nunset arrow\nunset label\nplot [0:1] [0:1] NaN notitle\n";
        continue;
      }
      const auto& r = outcome.runs.front();
      TimelinePanel timeline{title, kBucket, r.bucket_bytes, r.bucket_device_bytes,
                             {results.paths[0].name, results.paths[1].name}, std::nullopt, kRateWindow, longest * 1.02};
      if (r.event_seconds) timeline.event = TimelineEvent{*r.event_seconds, lost_event(c.handover, results.paths)};
      write_timeline_panel(body, panel++, timeline);
    }
  }
  body << "unset multiplot\n";
  draw_chart({"handover", "mbench handover", std::to_string(620 * columns) + "," + std::to_string(420 * rows), body.str()},
             dir);
}

void write_handover_results(const HandoverResults& results, const OutputOptions& output) {
  const auto table = handover_table(results);
  auto outputs = download_table_outputs(table);
  outputs.plot = [&results](const std::filesystem::path& dir) { plot_handover(results, dir); };
  write_outputs(outputs, output);
}

}  // namespace msocket::mbench
