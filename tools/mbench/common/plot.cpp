#include "common/plot.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <sstream>

#include "common/text_table.hpp"
#include "testbed/child_process.hpp"
#include "testbed/files.hpp"

namespace fs = std::filesystem;

namespace msocket::mbench {

namespace {

// The measurements' indexes grouped by chart panel (by default, one per
// unit), in the order the panels first appear.
std::vector<std::pair<std::string, std::vector<std::size_t>>> panels_of(const Report& report) {
  std::vector<std::pair<std::string, std::vector<std::size_t>>> panels;
  for (std::size_t i = 0; i < report.measurements.size(); ++i) {
    const auto& m = report.measurements[i];
    const auto title = m.chart.empty() ? m.unit : m.chart;
    auto it = std::find_if(panels.begin(), panels.end(), [&](const auto& p) { return p.first == title; });
    if (it == panels.end()) it = panels.insert(panels.end(), {title, {}});
    it->second.push_back(i);
  }
  return panels;
}

// One panel: a clustered histogram of the subject, its variants and the
// baseline per metric. A missing baseline is NaN, which gnuplot leaves out.
// Rates that span more than two orders of magnitude (lookups and fsynced
// updates) get a log scale.
void write_panel(std::ostringstream& script, const Report& report, std::size_t index, const std::string& title,
                 const std::vector<std::size_t>& rows) {
  const std::string block = "$panel" + std::to_string(index);
  double smallest = 0, largest = 0;
  bool first = true, any_baseline = false;
  const auto note_range = [&](double v) {
    if (v <= 0) return;
    smallest = first ? v : std::min(smallest, v);
    largest = first ? v : std::max(largest, v);
    first = false;
  };
  script << block << " << EOD\n";
  for (const auto row : rows) {
    const auto& m = report.measurements[row];
    script << gnuplot_quoted(m.label) << ' ' << gnuplot_number(m.value);
    note_range(m.value);
    for (const auto& v : report.variants) {
      script << ' ' << gnuplot_number(v.values.at(row));
      note_range(v.values.at(row));
    }
    script << ' ' << (m.baseline ? gnuplot_number(*m.baseline) : "NaN") << '\n';
    if (m.baseline) note_range(*m.baseline);
    any_baseline = any_baseline || m.baseline.has_value();
  }
  script << "EOD\n";
  script << "set title " << gnuplot_quoted(title) << "\n";
  // A log axis cannot start at 0: let it reach down to the smallest bar.
  script << (smallest > 0 && largest / smallest > 100 ? "set logscale y\nset yrange [*:*]\n"
                                                      : "unset logscale y\nset yrange [0:*]\n");
  script << "plot " << block << " using 2:xtic(1) title " << gnuplot_quoted(report.subject);
  std::size_t column = 3;
  for (const auto& v : report.variants) script << ", '' using " << column++ << " title " << gnuplot_quoted(v.heading);
  if (any_baseline) script << ", '' using " << column << " title " << gnuplot_quoted(report.baseline);
  script << "\n";
}

}  // namespace

std::string gnuplot_quoted(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string gnuplot_lines(const std::vector<std::string>& lines) {
  std::string text;
  for (const auto& line : lines) text += (text.empty() ? "" : ".\"\\n\".") + gnuplot_quoted(line);
  return text.empty() ? "\"\"" : text;
}

std::string gnuplot_number(double value) { return six_significant_digits(value); }

void draw_chart(const Chart& chart, const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("--plot: cannot create " + dir.string() + ": " + ec.message());
  const auto base = (fs::absolute(dir) / chart.name).string();  // the script works from anywhere
  std::ostringstream script;
  script << "# " << chart.title << ": redraw with `gnuplot THIS_FILE`\n"
         << "set terminal pngcairo size " << chart.size << " font 'sans,10'\n"
         << "set output " << gnuplot_quoted(base + ".png") << "\n"
         << chart.body << "set output\n"
         << "set terminal svg size " << chart.size << " dynamic font 'sans,10'\n"
         << "set output " << gnuplot_quoted(base + ".svg") << "\n"
         << chart.body << "set output\n";
  testbed::write_file(base + ".gp", script.str());
  testbed::run_command({"gnuplot", base + ".gp"});
}

void plot_report(const Report& report, const fs::path& dir, const std::string& chart) {
  const auto panels = panels_of(report);
  const std::size_t columns = std::clamp<std::size_t>(panels.size(), 1, 3);
  const std::size_t rows = (std::max<std::size_t>(panels.size(), 1) + columns - 1) / columns;
  std::ostringstream body;
  body << "set style data histograms\n"
          "set style histogram clustered gap 1\n"
          "set style fill solid 0.85 border -1\n"
          "set boxwidth 0.9\n"
          "set xtics rotate by -35 left nomirror font ',9'\n"
          "set key outside right top vertical\n"
          "set grid ytics\n"
          "set bmargin 9\n";
  std::vector<std::string> caption{"mbench " + report.benchmark};
  if (!report.testbed.empty()) caption.push_back("testbed: " + report.testbed);
  body << "set multiplot layout " << rows << "," << columns << " title " << gnuplot_lines(caption) << "\n";
  for (std::size_t i = 0; i < panels.size(); ++i) write_panel(body, report, i, panels[i].first, panels[i].second);
  body << "unset multiplot\n";
  draw_chart({chart.empty() ? report.benchmark : chart, "mbench " + report.benchmark,
              std::to_string(460 * columns) + "," + std::to_string(440 * rows), body.str()},
             dir);
}

}  // namespace msocket::mbench
