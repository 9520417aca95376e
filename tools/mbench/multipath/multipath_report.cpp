#include "multipath/multipath_report.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/latency_summary.hpp"
#include "common/plot.hpp"
#include "common/timeline_plot.hpp"
#include "testbed/time_series.hpp"

namespace msocket::mbench {

namespace {

double seconds_of(std::chrono::microseconds d) { return static_cast<double>(d.count()) / 1e6; }

std::optional<double> median_seconds(const SchemeOutcome& outcome) {
  if (outcome.runs.empty()) return std::nullopt;
  std::vector<double> seconds;
  for (const auto& r : outcome.runs) seconds.push_back(r.seconds);
  return median(seconds);
}

// The share of the bytes that came over path 0, over all runs.
std::optional<double> path0_share(const SchemeOutcome& outcome) {
  double first = 0, all = 0;
  for (const auto& r : outcome.runs) {
    first += static_cast<double>(r.device_bytes[0]);
    all += static_cast<double>(r.device_bytes[0] + r.device_bytes[1]);
  }
  if (all == 0) return std::nullopt;
  return first / all;
}

std::string testbed_text(const MultipathResults& results) {
  return "testbed: " + describe_paths(results.paths) + " (emulated by mbench link; server behind a router)";
}

// The download each scheme's timeline shows: the first run of the largest
// size it completed; nullptr if it completed none.
const PatternDownloadResult* timeline_run(const MultipathResults& results, const SchemeResults& scheme,
                                          std::size_t* size_index) {
  for (std::size_t s = results.sizes.size(); s-- > 0;)
    if (!scheme.cases[s].runs.empty()) {
      *size_index = s;
      return &scheme.cases[s].runs.front();
    }
  return nullptr;
}

// Per scheme, the running totals of its timeline download (payload and
// each device), for JSON.
boost::json::array timelines_json(const MultipathResults& results) {
  boost::json::array timelines;
  for (const auto& scheme : results.schemes) {
    std::size_t s = 0;
    const auto* run = timeline_run(results, scheme, &s);
    if (!run) continue;
    std::array<std::vector<std::uint64_t>, 2> devices;
    for (const auto& d : run->bucket_device_bytes)
      for (std::size_t i = 0; i < 2; ++i) devices[i].push_back(d[i]);
    boost::json::object timeline{{"scheme", scheme.name}, {"size_bytes", results.sizes[s]}, {"bucket_ms", kBucket.count()}};
    const auto payload = testbed::cumulative(run->bucket_bytes);
    timeline["received_bytes"] = boost::json::array(payload.begin(), payload.end());
    for (std::size_t i = 0; i < 2; ++i) {
      const auto totals = testbed::cumulative(devices[i]);
      timeline[results.paths[i].name + "_received_bytes"] = boost::json::array(totals.begin(), totals.end());
    }
    timelines.push_back(std::move(timeline));
  }
  return timelines;
}

// The sum of the median goodputs (Mbit/s) of the single-path TCP schemes
// at size `s`, one per path; nullopt unless every path has one.
std::optional<double> sum_of_single_path_goodputs(const MultipathResults& results, std::size_t s) {
  const double megabits = 8.0 * static_cast<double>(results.sizes[s]) / 1e6;
  double sum = 0;
  std::size_t paths = 0;
  for (const auto& scheme : results.schemes) {
    if (scheme.kind != SchemeKind::single_path) continue;
    const auto t = median_seconds(scheme.cases[s]);
    if (!t || *t <= 0) return std::nullopt;
    sum += megabits / *t;
    ++paths;
  }
  if (paths != results.paths.size()) return std::nullopt;
  return sum;
}

}  // namespace

double ideal_seconds(const std::array<testbed::PathShape, 2>& paths, std::uint64_t bytes) {
  const double bits = 8.0 * static_cast<double>(bytes);
  const double rtt0 = std::min(seconds_of(paths[0].rtt), seconds_of(paths[1].rtt));
  const double r0 = static_cast<double>(paths[0].rate), r1 = static_cast<double>(paths[1].rate);
  const double d0 = seconds_of(paths[0].rtt) / 2, d1 = seconds_of(paths[1].rtt) / 2;
  const double sending = (bits + r0 * d0 + r1 * d1) / (r0 + r1);  // from 1.5 RTT0 to the last byte
  if (sending >= d0 && sending >= d1) return 1.5 * rtt0 + sending;
  return 1.5 * rtt0 + std::min(bits / r0 + d0, bits / r1 + d1);
}

DownloadTable multipath_table(const MultipathResults& results, unsigned runs) {
  DownloadTable table;
  table.benchmark = "multipath";
  const std::string share = results.paths[0].name + "_share";
  table.columns = {{"size_bytes", "size"}, {"scheme", "scheme"}, {"runs", "runs"}, {"seconds", "time s"},
                   {"goodput_mbit_s", "goodput Mbit/s"}, {"of_sum_of_rates", "/sum of rates"},
                   {"of_sum_of_tcp_goodputs", "/sum of TCP"},
                   {"of_best_single_path", "/best path"}, {"of_ideal", "ideal/time"},
                   {share, results.paths[0].name + " share"}, {"subflows", "subflows"}, {"status", "status"}};
  const double sum_of_rates = static_cast<double>(results.paths[0].rate + results.paths[1].rate) / 1e6;
  boost::json::array samples;
  for (std::size_t s = 0; s < results.sizes.size(); ++s) {
    const auto bytes = results.sizes[s];
    const double megabits = 8.0 * static_cast<double>(bytes) / 1e6, ideal = ideal_seconds(results.paths, bytes);
    std::optional<double> best_single;
    for (const auto& scheme : results.schemes)
      if (const auto t = median_seconds(scheme.cases[s]); t && scheme.kind == SchemeKind::single_path)
        best_single = std::min(best_single.value_or(*t), *t);
    const auto tcp_sum = sum_of_single_path_goodputs(results, s);
    const auto add_row = [&](const std::string& name, std::size_t count, std::optional<double> seconds,
                             std::optional<double> share_of_path0, boost::json::value subflows, std::string status) {
      std::optional<double> goodput, of_best, of_ideal;
      if (seconds && *seconds > 0) {
        goodput = megabits / *seconds;
        of_ideal = ideal / *seconds;
        if (best_single) of_best = *best_single / *seconds;
      }
      std::optional<double> of_sum, of_tcp_sum;
      if (goodput) of_sum = *goodput / sum_of_rates;
      if (goodput && tcp_sum) of_tcp_sum = *goodput / *tcp_sum;
      table.rows.push_back({boost::json::string(format_size(bytes)), boost::json::string(name), count,
                            number_or_null(seconds), number_or_null(goodput), number_or_null(of_sum),
                            number_or_null(of_tcp_sum),
                            number_or_null(of_best), number_or_null(of_ideal), number_or_null(share_of_path0),
                            std::move(subflows), boost::json::string(status)});
    };
    for (const auto& scheme : results.schemes) {
      const auto& outcome = scheme.cases[s];
      boost::json::value subflows = nullptr;
      if (scheme.kind == SchemeKind::mptcp && !outcome.runs.empty()) subflows = outcome.most_subflows;
      add_row(scheme.name, outcome.runs.size(), median_seconds(outcome), path0_share(outcome), subflows,
              outcome.problem.value_or("ok"));
      boost::json::array seconds;
      for (const auto& r : outcome.runs) seconds.push_back(r.seconds);
      samples.push_back({{"size_bytes", bytes}, {"scheme", scheme.name}, {"seconds", std::move(seconds)}});
    }
    add_row("ideal", 0, ideal, std::nullopt, nullptr, "computed");
  }
  table.samples["downloads"] = std::move(samples);
  table.samples["timelines"] = timelines_json(results);
  boost::json::array paths, sizes(results.sizes.begin(), results.sizes.end());
  for (const auto& p : results.paths)
    paths.push_back({{"name", p.name}, {"rate_bits_per_second", p.rate}, {"rtt_ms", static_cast<double>(p.rtt.count()) / 1000}});
  table.settings = {{"paths", std::move(paths)}, {"testbed", describe_paths(results.paths)},
                    {"sizes_bytes", std::move(sizes)}, {"runs", runs}};
  table.notes = results.notes;
  table.notes.push_back("medians of " + std::to_string(runs) + " run(s); time from the client's start to the last byte; "
                        "goodput = size / time; sum of rates " + std::to_string(static_cast<long>(sum_of_rates)) + " Mbit/s; " +
                        "ideal = 1.5 RTT0 + (8 S + r0 d0 + r1 d1) / (r0 + r1) (mbench(1))");
  table.notes.push_back("/sum of TCP = goodput / (sum of the single-path TCP goodputs at the same size, medians of "
                        "this run); TCP/IP headers alone leave at most 1448/1500 = 0.965 of a link's rate to payload");
  table.notes.push_back("share = bytes received on " + results.paths[0].name + " / on both client devices");
  return table;
}

// Fig. 10's shape: download time against file size, one curve per scheme.
void plot_multipath(const MultipathResults& results, unsigned runs, const std::filesystem::path& dir) {
  std::ostringstream data, plot;
  std::size_t block = 0;
  const auto curve = [&](const std::string& name, const std::vector<std::optional<double>>& seconds) {
    data << "$s" << block << " << EOD\n";
    for (std::size_t s = 0; s < results.sizes.size(); ++s)
      if (seconds[s]) data << static_cast<double>(results.sizes[s]) / (1 << 20) << ' ' << *seconds[s] << '\n';
    data << "EOD\n";
    plot << (block ? ", " : "plot ") << "$s" << block << " using 1:2 with linespoints title " << gnuplot_quoted(name);
    ++block;
  };
  for (const auto& scheme : results.schemes) {
    std::vector<std::optional<double>> seconds;
    for (const auto& c : scheme.cases) seconds.push_back(median_seconds(c));
    curve(scheme.name, seconds);
  }
  std::vector<std::optional<double>> ideal;
  for (const auto bytes : results.sizes) ideal.push_back(ideal_seconds(results.paths, bytes));
  curve("ideal", ideal);
  const auto medians = runs == 1 ? std::string("one run each") : "medians of " + std::to_string(runs) + " runs";
  const auto body = data.str() + "set title " +
                    gnuplot_lines({"mbench multipath: download time vs file size (" + medians + ")", testbed_text(results)}) +
                    "\nset xlabel 'file size (MiB)'\nset ylabel 'download time (s)'\nset logscale xy\nset grid\n"
                    "set key top left\n" + plot.str() + "\n";
  draw_chart({"multipath", "mbench multipath", "800,560", body}, dir);
}

// Per scheme, the timeline of its first download of the largest size: the
// bytes received so far per client device and in all.
void plot_multipath_timeline(const MultipathResults& results, const std::filesystem::path& dir) {
  std::ostringstream body;
  std::size_t panels = 0;
  for (const auto& scheme : results.schemes) {
    std::size_t s = 0;
    if (timeline_run(results, scheme, &s)) ++panels;
  }
  const std::size_t columns = panels > 1 ? 2 : 1, rows = std::max<std::size_t>((panels + 1) / 2, 1);
  body << "set multiplot layout " << rows << "," << columns << " title "
       << gnuplot_lines({"mbench multipath: bytes received so far, per client device and in all (each scheme's first "
                         "download of its largest size)",
                         testbed_text(results)})
       << "\nset grid\nset key top left\n";
  std::size_t panel = 0;
  for (const auto& scheme : results.schemes) {
    std::size_t s = 0;
    const auto* run = timeline_run(results, scheme, &s);
    if (!run) continue;
    write_timeline_panel(body, panel++,
                         {scheme.name + ", " + format_size(results.sizes[s]), kBucket, run->bucket_bytes,
                          run->bucket_device_bytes, {results.paths[0].name, results.paths[1].name}, std::nullopt,
                          std::nullopt, std::nullopt});
  }
  if (panels == 0) body << "plot [0:1] [0:1] NaN notitle\n";
  body << "unset multiplot\n";
  draw_chart({"multipath-timeline", "mbench multipath timeline",
              std::to_string(560 * columns) + "," + std::to_string(380 * rows), body.str()},
             dir);
}

void write_multipath_results(const MultipathResults& results, unsigned runs, const OutputOptions& output) {
  const auto table = multipath_table(results, runs);
  auto outputs = download_table_outputs(table);
  outputs.chart = "multipath{,-timeline}";
  outputs.plot = [&results, runs](const std::filesystem::path& dir) {
    plot_multipath(results, runs, dir);
    plot_multipath_timeline(results, dir);
  };
  write_outputs(outputs, output);
}

}  // namespace msocket::mbench
