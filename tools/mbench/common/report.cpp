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

std::optional<double> Measurement::ratio_of(double other) const {
  if (!baseline || *baseline == 0) return std::nullopt;
  return other / *baseline;
}

bool Report::targets_met() const {
  return std::all_of(targets.begin(), targets.end(), [](const Target& t) { return t.met(); });
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
  std::vector<std::string> heading{"metric", "unit", report.subject};
  for (const auto& v : report.variants) heading.push_back(v.heading);
  heading.insert(heading.end(), {report.baseline, "ratio"});
  for (const auto& v : report.variants) heading.push_back("ratio " + v.heading);
  std::vector<std::vector<std::string>> rows{heading};
  std::vector<std::string> baseline_labels;
  const auto number_or_dash = [](std::optional<double> v) { return v ? format_number(*v) : std::string("-"); };
  for (std::size_t i = 0; i < report.measurements.size(); ++i) {
    const auto& m = report.measurements[i];
    std::vector<std::string> row{m.label, m.unit, format_number(m.value)};
    for (const auto& v : report.variants) row.push_back(format_number(v.values.at(i)));
    row.insert(row.end(), {number_or_dash(m.baseline), number_or_dash(m.ratio())});
    for (const auto& v : report.variants) row.push_back(number_or_dash(m.ratio_of(v.values.at(i))));
    rows.push_back(std::move(row));
    if (m.baseline && !m.baseline_label.empty() &&
        std::find(baseline_labels.begin(), baseline_labels.end(), m.baseline_label) == baseline_labels.end())
      baseline_labels.push_back(m.baseline_label);
  }
  out << aligned_rows(rows, [](std::size_t column) { return column >= 2; });
  if (!baseline_labels.empty()) {
    out << "baselines (ratio = " << report.subject;
    for (const auto& v : report.variants) out << " or " << v.heading;
    out << " / baseline):\n";
    for (const auto& label : baseline_labels) out << "  " << label << '\n';
  }
  if (!report.targets.empty()) out << "targets:\n";
  for (const auto& t : report.targets)
    out << "  " << t.label << " " << t.comparison() << " " << format_number(t.threshold) << ": "
        << format_number(t.ratio) << (t.met() ? ", met" : ", not met") << '\n';
  for (const auto& note : report.notes) out << note << '\n';
}

boost::json::object to_json(const Report& report) {
  boost::json::array measurements;
  for (std::size_t i = 0; i < report.measurements.size(); ++i) {
    const auto& m = report.measurements[i];
    boost::json::object entry{{"key", m.key}, {"label", m.label}, {"unit", m.unit}, {"value", m.value}};
    entry["baseline"] = number_or_null(m.baseline);
    entry["baseline_label"] = m.baseline_label;
    entry["ratio"] = number_or_null(m.ratio());
    boost::json::object variants;
    for (const auto& v : report.variants)
      variants[v.key] = {{"value", v.values.at(i)}, {"ratio", number_or_null(m.ratio_of(v.values.at(i)))}};
    if (!report.variants.empty()) entry["variants"] = std::move(variants);
    measurements.push_back(std::move(entry));
  }
  boost::json::array notes(report.notes.begin(), report.notes.end());
  boost::json::object json{{"benchmark", report.benchmark}, {"subject", report.subject},
                           {"baseline", report.baseline},   {"settings", report.settings},
                           {"measurements", std::move(measurements)}, {"notes", std::move(notes)}};
  if (!report.variants.empty()) {
    boost::json::array variants;
    for (const auto& v : report.variants) variants.push_back({{"key", v.key}, {"heading", v.heading}});
    json["variants"] = std::move(variants);
  }
  if (!report.targets.empty()) {
    boost::json::array targets;
    for (const auto& t : report.targets)
      targets.push_back({{"key", t.key}, {"label", t.label}, {"ratio", t.ratio}, {"comparison", t.comparison()},
                         {"threshold", t.threshold}, {"met", t.met()}});
    json["targets"] = std::move(targets);
    json["targets_met"] = report.targets_met();
  }
  if (!report.samples.empty()) json["samples"] = report.samples;
  return json;
}

std::string to_csv(const Report& report) {
  std::string csv = "benchmark,key,label,unit,value,baseline,baseline_label,ratio";
  for (const auto& v : report.variants) csv += "," + v.key + "_value," + v.key + "_ratio";
  csv += "\n";
  const auto number = [](std::optional<double> v) { return v ? six_significant_digits(*v) : std::string(); };
  const std::string no_variants(2 * report.variants.size(), ',');
  for (std::size_t i = 0; i < report.measurements.size(); ++i) {
    const auto& m = report.measurements[i];
    csv += report.benchmark + "," + m.key + "," + csv_field(m.label) + "," + csv_field(m.unit) + "," +
           number(m.value) + "," + number(m.baseline) + "," + csv_field(m.baseline_label) + "," +
           number(m.ratio());
    for (const auto& v : report.variants) csv += "," + number(v.values.at(i)) + "," + number(m.ratio_of(v.values.at(i)));
    csv += "\n";
  }
  for (const auto& t : report.targets) {
    csv += report.benchmark + ",target_" + t.key + "," + csv_field(t.label + " " + t.comparison() + " " + number(t.threshold)) +
           ",ratio," + number(t.ratio) + "," + number(t.threshold) + "," + (t.met() ? "met" : "not met") + "," +
           number(t.threshold != 0 ? std::optional<double>(t.ratio / t.threshold) : std::nullopt) + no_variants + "\n";
  }
  return csv;
}

}  // namespace msocket::mbench
