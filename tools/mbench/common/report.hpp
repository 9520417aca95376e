// A benchmark's results as one table: each row measures the system under
// test and, where a fair one exists, a baseline measured in the same run
// (plain TCP for msocket, an HTTP round trip that does no work for a lookup,
// the disk's fdatasync rate for an update), with their ratio. Printed as a
// table on stdout and written as JSON, CSV and charts (plot.hpp).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace msocket::mbench {

struct Measurement {
  std::string key;    // stable, for JSON and CSV: "lookup_latency_p50"
  std::string label;  // for people: "lookup latency p50"
  std::string unit;   // "ms", "1/s", "MiB/s", "s/GiB", "KiB"
  double value = 0;
  std::optional<double> baseline;
  std::string baseline_label;  // what the baseline of this row is: "GET of an unknown name (404)"
  std::string chart;           // the chart panel it is drawn in (plot.hpp); empty: the panel of its unit

  // value / baseline; nullopt without a baseline or when it is zero.
  std::optional<double> ratio() const;
};

struct Report {
  std::string benchmark;       // "names", "throughput"
  std::string subject;         // heading of the value column: "mnamed", "msocket"
  std::string baseline;        // heading of the baseline column: "baseline", "tcp"
  boost::json::object settings;  // what was measured and how, as given or defaulted
  std::vector<Measurement> measurements;
  std::vector<std::string> notes;  // printed under the table, kept in JSON
  boost::json::object samples;     // raw samples behind the rows, JSON only (empty: left out)
  std::string testbed;             // where it ran, for the chart's title: "loopback, 64 MiB per run"

  void add(Measurement measurement) { measurements.push_back(std::move(measurement)); }
};

// A number, or JSON null when there is none.
boost::json::value number_or_null(std::optional<double> number);

// The table for people: metric, unit, value, baseline, ratio; then the
// notes and the baselines' descriptions.
void print_table(const Report& report, std::ostream& out);

// {"benchmark", "subject", "baseline", "settings", "measurements": [{"key",
// "label", "unit", "value", "baseline" (number or null), "baseline_label",
// "ratio" (number or null)}], "notes"}, and "samples" when there are any.
boost::json::object to_json(const Report& report);

// One header line, then one line per measurement:
// benchmark,key,label,unit,value,baseline,baseline_label,ratio
std::string to_csv(const Report& report);

}  // namespace msocket::mbench
