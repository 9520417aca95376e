// Charts with gnuplot: what every benchmark's charts share (quoting, numbers,
// the PNG and SVG drawn from one script that is kept, DIR/NAME.gp, so a
// chart can be redrawn or restyled), and the bar charts of a report: one
// panel per unit (latencies in ms side by side, rates in 1/s, ...), each
// metric a pair of bars (the subject and its baseline).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/report.hpp"

namespace msocket::mbench {

// `text` as a gnuplot string: in double quotes, with what would end or
// break it escaped.
std::string gnuplot_quoted(const std::string& text);
// `lines` as one gnuplot string expression, a line each ("a"."\n"."b"):
// a title or caption of several lines.
std::string gnuplot_lines(const std::vector<std::string>& lines);
// `value` with six significant digits.
std::string gnuplot_number(double value);

// A chart: `body` is the gnuplot commands that draw it, `size` its pixels
// ("900,600"), `title` names it in the script's first line.
struct Chart {
  std::string name;  // the files' name: DIR/NAME.png, .svg, .gp
  std::string title;
  std::string size;
  std::string body;
};
// Creates `dir` if needed, writes DIR/NAME.gp, which draws `chart` twice
// (pngcairo and svg), and runs gnuplot on it. Throws if the directory
// cannot be made or gnuplot is missing or fails.
void draw_chart(const Chart& chart, const std::filesystem::path& dir);

// DIR/BENCHMARK.{png,svg,gp}: the bar chart of `report`, or DIR/CHART.*
// when given (a mode of a benchmark with charts of its own). Throws as
// draw_chart.
void plot_report(const Report& report, const std::filesystem::path& dir, const std::string& chart = {});

}  // namespace msocket::mbench
