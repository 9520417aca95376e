// Charts of `mbench energy` in the shape of the paper's figures, side by
// side: download time against file size (Fig. 11) and energy against file
// size (Fig. 12), one line per case (WiFi only, LTE only, both).
#include <cstdio>
#include <sstream>

#include "common/plot.hpp"
#include "energy/energy_report.hpp"

namespace fs = std::filesystem;

namespace msocket::mbench {

namespace {

// The cases in the order they first appear.
std::vector<std::pair<std::string, std::string>> cases_of(const EnergyReport& report) {
  std::vector<std::pair<std::string, std::string>> cases;
  for (const auto& run : report.runs) {
    bool known = false;
    for (const auto& c : cases) known = known || c.first == run.case_key;
    if (!known) cases.emplace_back(run.case_key, run.case_label);
  }
  return cases;
}

// One data block per case: size (MiB), time (s), energy (J).
std::string chart_body(const EnergyReport& report) {
  std::ostringstream out;
  const auto cases = cases_of(report);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    out << "$case" << i << " << EOD\n";
    for (const auto& run : report.runs)
      if (run.case_key == cases[i].first)
        out << gnuplot_number(static_cast<double>(run.size_bytes) / (1 << 20)) << ' ' << gnuplot_number(run.seconds) << ' '
            << gnuplot_number(run.total_joules()) << '\n';
    out << "EOD\n";
  }
  const auto plot = [&](int column) {
    std::string line = "plot ";
    for (std::size_t i = 0; i < cases.size(); ++i)
      line += (i ? ", " : "") + std::string("$case") + std::to_string(i) + " using 1:" + std::to_string(column) +
              " with linespoints linewidth 2 pointtype " + std::to_string(i + 5) + " title " +
              gnuplot_quoted(cases[i].second);
    return line + "\n";
  };
  std::vector<std::string> caption{"mbench energy (radio model: Huang et al., MobiSys 2012)"};
  if (const auto* testbed = report.settings.if_contains("testbed"); testbed && testbed->is_string())
    caption.push_back("testbed: " + std::string(testbed->get_string()));
  out << "set multiplot layout 1,2 title " << gnuplot_lines(caption) << "\n"
         "set grid\nset key top left\nset xlabel 'file size (MiB)'\nset xrange [0:*]\nset yrange [0:*]\n"
         "set title 'download time vs file size (Fig. 11)'\nset ylabel 'download time (s)'\n"
      << plot(2)
      << "set title 'energy vs file size (Fig. 12)'\nset ylabel 'energy of the radios (J)'\n"
      << plot(3) << "unset multiplot\n";
  return out.str();
}

}  // namespace

void plot_energy(const EnergyReport& report, const fs::path& dir) {
  draw_chart({"energy", "mbench energy", "1000,480", chart_body(report)}, dir);
}

}  // namespace msocket::mbench
