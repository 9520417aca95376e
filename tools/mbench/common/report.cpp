#include "common/report.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include <boost/json/serialize.hpp>

#include "common/text_table.hpp"

namespace msocket::mbench {

boost::json::value number_or_null(std::optional<double> number) {
  return number ? boost::json::value(*number) : boost::json::value(nullptr);
}

std::optional<double> Measurement::ratio() const {
  if (!baseline || *baseline == 0) return std::nullopt;
  return value / *baseline;
}

namespace {

// Enough significant digits for any of our units, without exponents for
// the usual magnitudes: 0.0842, 12.3, 5210.
std::string format_number(double value) {
  char text[32];
  const double magnitude = value < 0 ? -value : value;
  if (magnitude >= 1000) std::snprintf(text, sizeof text, "%.0f", value);
  else if (magnitude >= 10) std::snprintf(text, sizeof text, "%.1f", value);
  else if (magnitude >= 0.1 || magnitude == 0) std::snprintf(text, sizeof text, "%.3f", value);
  else std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

}  // namespace

void print_table(const Report& report, std::ostream& out) {
  std::vector<std::vector<std::string>> rows{{"metric", "unit", report.subject, report.baseline, "ratio"}};
  std::vector<std::string> baseline_labels;
  for (const auto& m : report.measurements) {
    const auto ratio = m.ratio();
    rows.push_back({m.label, m.unit, format_number(m.value), m.baseline ? format_number(*m.baseline) : "-",
                    ratio ? format_number(*ratio) : "-"});
    if (m.baseline && !m.baseline_label.empty() &&
        std::find(baseline_labels.begin(), baseline_labels.end(), m.baseline_label) == baseline_labels.end())
      baseline_labels.push_back(m.baseline_label);
  }
  out << aligned_rows(rows, [](std::size_t column) { return column >= 2; });
  if (!baseline_labels.empty()) {
    out << "baselines (ratio = " << report.subject << " / baseline):\n";
    for (const auto& label : baseline_labels) out << "  " << label << '\n';
  }
  for (const auto& note : report.notes) out << note << '\n';
}

boost::json::object to_json(const Report& report) {
  boost::json::array measurements;
  for (const auto& m : report.measurements) {
    const auto ratio = m.ratio();
    boost::json::object entry{{"key", m.key}, {"label", m.label}, {"unit", m.unit}, {"value", m.value}};
    entry["baseline"] = number_or_null(m.baseline);
    entry["baseline_label"] = m.baseline_label;
    entry["ratio"] = number_or_null(ratio);
    measurements.push_back(std::move(entry));
  }
  boost::json::array notes(report.notes.begin(), report.notes.end());
  boost::json::object json{{"benchmark", report.benchmark}, {"subject", report.subject},
                           {"baseline", report.baseline},   {"settings", report.settings},
                           {"measurements", std::move(measurements)}, {"notes", std::move(notes)}};
  if (!report.samples.empty()) json["samples"] = report.samples;
  return json;
}

std::string to_csv(const Report& report) {
  std::string csv = "benchmark,key,label,unit,value,baseline,baseline_label,ratio\n";
  const auto number = [](std::optional<double> v) { return v ? six_significant_digits(*v) : std::string(); };
  for (const auto& m : report.measurements) {
    csv += report.benchmark + "," + m.key + "," + csv_field(m.label) + "," + csv_field(m.unit) + "," +
           number(m.value) + "," + number(m.baseline) + "," + csv_field(m.baseline_label) + "," +
           number(m.ratio()) + "\n";
  }
  return csv;
}

}  // namespace msocket::mbench
