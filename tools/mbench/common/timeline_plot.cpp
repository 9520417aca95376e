#include "common/timeline_plot.hpp"

#include <cstdio>

#include "common/plot.hpp"
#include "testbed/time_series.hpp"

namespace msocket::mbench {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

std::string two_decimals(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

std::string mib(std::uint64_t bytes) { return gnuplot_number(static_cast<double>(bytes) / kMiB); }

// One row per bucket end, after a row of zeros at the start: the running
// totals, and the rate (missing at the start, where it is not defined).
void write_data(std::ostream& body, const std::string& block, const TimelinePanel& panel) {
  std::vector<std::uint64_t> first(panel.devices.size()), second(panel.devices.size());
  for (std::size_t i = 0; i < panel.devices.size(); ++i) {
    first[i] = panel.devices[i][0];
    second[i] = panel.devices[i][1];
  }
  const auto payload = testbed::cumulative(panel.payload), device0 = testbed::cumulative(first),
             device1 = testbed::cumulative(second);
  std::vector<double> rates;
  if (panel.rate_window) rates = testbed::sliding_window_rate(panel.payload, panel.bucket, *panel.rate_window);
  const double bucket_seconds = std::chrono::duration<double>(panel.bucket).count();
  body << block << " << EOD\n0 0 0 0 NaN\n";
  for (std::size_t i = 0; i < payload.size(); ++i)
    body << gnuplot_number(static_cast<double>(i + 1) * bucket_seconds) << ' ' << mib(payload[i]) << ' '
         << mib(i < device0.size() ? device0[i] : 0) << ' ' << mib(i < device1.size() ? device1[i] : 0) << ' '
         << (rates.empty() ? std::string("NaN") : gnuplot_number(rates[i] / 1e6)) << '\n';
  body << "EOD\n";
}

}  // namespace

std::string describe_rate_window(std::chrono::milliseconds window) {
  return "rate over a " + std::to_string(window.count()) + " ms sliding window";
}

void write_timeline_panel(std::ostream& body, std::size_t index, const TimelinePanel& panel) {
  const auto block = "$timeline" + std::to_string(index);
  write_data(body, block, panel);
  body << "set title " << gnuplot_quoted(panel.title) << "\nunset arrow\nunset label\n"
       << "set xlabel 'time since the client started (s)'\nset ylabel 'received so far (MiB)'\n"
       << "set xrange [0:" << (panel.x_max ? gnuplot_number(*panel.x_max) : "*") << "]\nset yrange [0:*]\n";
  if (panel.event)
    body << "set arrow from " << gnuplot_number(panel.event->seconds) << ", graph 0 to "
         << gnuplot_number(panel.event->seconds) << ", graph 1 nohead dashtype 2 linewidth 1.5 linecolor rgb 'red'\n"
         << "set label " << gnuplot_quoted(panel.event->what + " at " + two_decimals(panel.event->seconds) + " s")
         << " at " << gnuplot_number(panel.event->seconds) << ", graph 0.93 offset 0.5,0 textcolor rgb 'red'\n";
  if (panel.rate_window)
    body << "set y2label " << gnuplot_quoted(describe_rate_window(*panel.rate_window) + " (Mbit/s)")
         << "\nset y2tics\nset ytics nomirror\nset y2range [0:*]\n";
  else
    body << "unset y2label\nunset y2tics\nset ytics mirror\n";
  body << "plot " << block << " using 1:2 with lines linewidth 2.5 linecolor rgb 'black' title 'payload', "
       << block << " using 1:3 with lines linewidth 1.5 linecolor rgb '#1f77b4' title "
       << gnuplot_quoted(panel.device_names[0] + " IP bytes") << ", " << block
       << " using 1:4 with lines linewidth 1.5 linecolor rgb '#ff7f0e' title "
       << gnuplot_quoted(panel.device_names[1] + " IP bytes");
  if (panel.rate_window)
    body << ", " << block << " using 1:5 axes x1y2 with lines dashtype 3 linewidth 1.5 linecolor rgb '#555555' title "
         << gnuplot_quoted("payload " + describe_rate_window(*panel.rate_window) + " (right)");
  body << "\n";
}

}  // namespace msocket::mbench
