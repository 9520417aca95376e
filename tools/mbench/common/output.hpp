// Where a finished benchmark's results go: the table on stdout, and the
// files the command line asked for (JSON, CSV, charts).
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include <boost/json/object.hpp>

#include "common/command_line.hpp"
#include "common/report.hpp"

namespace msocket::mbench {

// A benchmark's results in every form it can write them in.
struct ResultOutputs {
  std::string command;  // "recovery": names the benchmark in the line about the charts
  std::string table;    // for people, on stdout
  std::function<boost::json::object()> json;
  std::function<std::string()> csv;
  std::string chart;  // the charts' files: DIR/CHART.{png,svg}
  // Draws the charts into DIR (throws if gnuplot fails); empty: no charts.
  std::function<void(const std::filesystem::path& dir)> plot;
};

// The table first, so the numbers are never lost; then --json, --csv and
// --plot (announced on stderr: "mbench COMMAND: charts in DIR/CHART.{png,svg}").
// Throws, naming the file, if a file cannot be written or gnuplot fails.
void write_outputs(const ResultOutputs& outputs, const OutputOptions& output);

// A Report (report.hpp) as outputs: its table, JSON, CSV and bar charts.
ResultOutputs report_outputs(const Report& report);
void write_outputs(const Report& report, const OutputOptions& output);

}  // namespace msocket::mbench
