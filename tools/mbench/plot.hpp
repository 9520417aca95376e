// Bar charts of a report with gnuplot: one panel per unit (latencies in ms
// side by side, rates in 1/s, ...), each metric a pair of bars (the subject
// and its baseline). Writes DIR/BENCHMARK.png and DIR/BENCHMARK.svg, and
// keeps the script (DIR/BENCHMARK.gp) so a chart can be redrawn or restyled.
#pragma once

#include <filesystem>
#include <string>

#include "report.hpp"

namespace msocket::mbench {

// The gnuplot script that draws `report` into `png` and `svg` (pure).
std::string gnuplot_script(const Report& report, const std::filesystem::path& png, const std::filesystem::path& svg);

// Creates `dir` if needed, writes the script and runs gnuplot on it. Throws
// if gnuplot is missing or fails.
void plot_report(const Report& report, const std::filesystem::path& dir);

}  // namespace msocket::mbench
