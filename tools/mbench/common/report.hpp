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

// A further subject measured against the same baseline in the same run (mcat
// --no-encrypt beside mcat): a column of its own next to the subject's.
struct Variant {
  std::string key;      // for JSON and CSV: "msocket_no_encrypt"
  std::string heading;  // for the table and the chart: "no-encrypt"
  std::vector<double> values;  // one per Report::measurements, in their order
};

struct Measurement {
  std::string key;    // stable, for JSON and CSV: "lookup_latency_p50"
  std::string label;  // for people: "lookup latency p50"
  std::string unit;   // "ms", "1/s", "MiB/s", "s/GiB", "KiB"
  double value = 0;
  std::optional<double> baseline;
  std::string baseline_label;  // what the baseline of this row is: "GET of an unknown name (404)"
  std::string chart;           // the chart panel it is drawn in (plot.hpp); empty: the panel of its unit

  // value / baseline; nullopt without a baseline or when it is zero.
  std::optional<double> ratio() const { return ratio_of(value); }
  // `other` (a variant's value) / baseline, the same way.
  std::optional<double> ratio_of(double other) const;
};

// A ratio the project aims for (goodput of mcat at least 0.9 of socat's):
// reported with the figures, met or not; the benchmark decides whether an
// unmet one fails the run.
struct Target {
  std::string key;    // for JSON and CSV: "goodput_ratio"
  std::string label;  // for people: "goodput, msocket / tcp"
  double ratio = 0;   // measured
  double threshold = 0;
  bool at_least = true;  // ratio >= threshold; else ratio <= threshold

  bool met() const { return at_least ? ratio >= threshold : ratio <= threshold; }
  std::string comparison() const { return at_least ? ">=" : "<="; }
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
  std::vector<Variant> variants;   // further subjects, each with a value for every measurement
  std::vector<Target> targets;

  void add(Measurement measurement) { measurements.push_back(std::move(measurement)); }
  bool targets_met() const;
};

// A number, or JSON null when there is none.
boost::json::value number_or_null(std::optional<double> number);

// The table for people: metric, unit, value, the variants' values,
// baseline, ratio, the variants' ratios; then the baselines' descriptions,
// the targets (met or not) and the notes.
void print_table(const Report& report, std::ostream& out);

// {"benchmark", "subject", "baseline", "settings", "measurements": [{"key",
// "label", "unit", "value", "baseline" (number or null), "baseline_label",
// "ratio" (number or null)}], "notes"}, and "samples" when there are any.
// With variants: "variants": [{"key", "heading"}] and in each measurement
// "variants": {KEY: {"value", "ratio"}}. With targets: "targets": [{"key",
// "label", "ratio", "comparison" (">=" or "<="), "threshold", "met"}] and
// "targets_met".
boost::json::object to_json(const Report& report);

// One header line, then one line per measurement:
// benchmark,key,label,unit,value,baseline,baseline_label,ratio, then
// KEY_value,KEY_ratio for each variant. A target is a line of its own:
// key target_KEY, label "LABEL >= THRESHOLD", unit "ratio", value the
// measured ratio, baseline the threshold, baseline_label "met" or "not met",
// ratio value / threshold.
std::string to_csv(const Report& report);

}  // namespace msocket::mbench
