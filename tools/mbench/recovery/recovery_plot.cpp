// Charts of `mbench recovery` in the shape of the paper's figures:
//   client: recovery against RTT (median, min..max), with the 2 RTT target (Fig. 7);
//   server: the CDF over the clients of the time to migrate, one curve per
//           number of connections, with the 2.5 RTT target (Fig. 8);
//   both:   recovery against rho (median, min..max), watch on and off, with
//           the bounds rho + q + w + 2 RTT and q + w + 2 RTT (Fig. 9).
#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/latency_summary.hpp"
#include "common/plot.hpp"
#include "recovery/recovery_report.hpp"

namespace fs = std::filesystem;

namespace msocket::mbench {

namespace {

// x, median, min, max
void write_point(std::ostringstream& out, double x, const std::vector<double>& samples) {
  const auto s = summarize(samples);
  const double least = samples.empty() ? 0 : *std::min_element(samples.begin(), samples.end());
  out << gnuplot_number(x) << ' ' << gnuplot_number(s.p50) << ' ' << gnuplot_number(least) << ' ' << gnuplot_number(s.max) << '\n';
}

void client_chart(std::ostringstream& out, const std::vector<ClientCaseResult>& cases, const std::string& testbed) {
  out << "$stats << EOD\n";
  for (const auto& c : cases) write_point(out, static_cast<double>(c.rtt.count()), c.samples.recovery_ms);
  out << "EOD\n$seen << EOD\n";
  for (const auto& c : cases) write_point(out, static_cast<double>(c.rtt.count()), c.samples.seen_ms);
  out << "EOD\nset title " << gnuplot_lines({"client move: recovery vs RTT (median, min..max)", "testbed: " + testbed})
      << "\nset xlabel 'RTT (ms)'\nset ylabel 'recovery (ms)'\nset key top left\nset grid\n"
         "set xrange [0:*]\nset yrange [0:*]\n"
         "plot $stats using 1:2:3:4 with yerrorlines title 'recovery (--stats)', "
         "$seen using 1:2:3:4 with yerrorlines title 'move to migrated line', "
         "2*x with lines dashtype 2 title 'paper target: 2 RTT'\n";
}

// One block per curve: sorted samples against the fraction of clients back.
void cdf_block(std::ostringstream& out, const std::string& name, std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  out << name << " << EOD\n";
  for (std::size_t i = 0; i < samples.size(); ++i)
    out << gnuplot_number(samples[i]) << ' ' << gnuplot_number(static_cast<double>(i + 1) / static_cast<double>(samples.size())) << '\n';
  out << "EOD\n";
}

void server_chart(std::ostringstream& out, const std::vector<ServerCaseResult>& cases, const std::string& testbed) {
  std::string plots;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const auto name = "$cdf" + std::to_string(i), stats = "$stats" + std::to_string(i);
    cdf_block(out, name, c.samples.seen_ms);
    cdf_block(out, stats, c.samples.recovery_ms);
    const auto title = std::to_string(c.connections) + " connections, RTT " + std::to_string(c.rtt.count()) + " ms";
    plots += (plots.empty() ? "" : ", ") + name + " using 1:2 with steps linewidth 2 linecolor " + std::to_string(i + 1) +
             " title " + gnuplot_quoted(title + ": move to migrated") + ", " + stats + " using 1:2 with steps dashtype 3 linecolor " +
             std::to_string(i + 1) + " title " + gnuplot_quoted(title + ": --stats");
  }
  // The 2.5 RTT target of the first RTT, as a vertical line.
  const double target = 2.5 * static_cast<double>(cases.front().rtt.count());
  out << "set title " << gnuplot_lines({"server move: CDF of the clients' recovery", "testbed: " + testbed})
      << "\nset xlabel 'time (ms)'\nset ylabel 'fraction of connections migrated'\nset key top left\nset grid\n"
         "set xrange [0:*]\nset yrange [0:1.05]\n"
      << "set arrow from " << gnuplot_number(target) << ",0 to " << gnuplot_number(target)
      << ",1.05 nohead dashtype 2\nset label 'paper target: 2.5 RTT' at " << gnuplot_number(target) << ",0.5 left offset 0.5,0\n"
      << "plot " << plots << "\nunset arrow\nunset label\n";
}

void both_chart(std::ostringstream& out, const std::vector<BothCaseResult>& cases, const std::string& testbed) {
  std::string plots;
  int index = 0;
  for (const bool watch : {true, false}) {
    const auto name = std::string(watch ? "$watch" : "$nowatch"), bound = name + "_bound";
    out << name << " << EOD\n";
    for (const auto& c : cases)
      if (c.watch == watch) write_point(out, static_cast<double>(c.rho.count()) / 1000.0, c.samples.recovery_ms);
    out << "EOD\n" << bound << " << EOD\n";
    for (const auto& c : cases)
      if (c.watch == watch) out << gnuplot_number(static_cast<double>(c.rho.count()) / 1000.0) << ' ' << gnuplot_number(c.bound_ms()) << '\n';
    out << "EOD\n";
    ++index;
    plots += (plots.empty() ? "" : ", ") + name + " using 1:2:3:4 with yerrorlines linecolor " + std::to_string(index) +
             " title " + gnuplot_quoted(watch ? "with the watch" : "without the watch (--no-watch)") + ", " + bound +
             " using 1:2 with lines dashtype 2 linecolor " + std::to_string(index) + " title " +
             gnuplot_quoted(watch ? "bound q + w + 2 RTT" : "bound rho + q + w + 2 RTT");
  }
  out << "set title " << gnuplot_lines({"both ends move: recovery vs rho (median, min..max)", "testbed: " + testbed})
      << "\nset xlabel 'retry interval rho (s)'\nset ylabel 'recovery after the server is back (ms)'\n"
         "set key top left\nset grid\nset xrange [0:*]\nset yrange [0:*]\n"
      << "plot " << plots << "\n";
}

}  // namespace

void plot_recovery(const RecoveryResults& results, const fs::path& dir) {
  std::ostringstream body;
  if (!results.client.empty()) client_chart(body, results.client, results.testbed);
  if (!results.server.empty()) server_chart(body, results.server, results.testbed);
  if (!results.both.empty()) both_chart(body, results.both, results.testbed);
  draw_chart({"recovery-" + results.scenario, "mbench recovery " + results.scenario, "900,600", body.str()}, dir);
}

}  // namespace msocket::mbench
