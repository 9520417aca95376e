#include "report.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include <boost/json/serialize.hpp>

namespace msocket::mbench {

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

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string pad(const std::string& text, std::size_t width, bool right_align) {
  if (text.size() >= width) return text;
  const std::string fill(width - text.size(), ' ');
  return right_align ? fill + text : text + fill;
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
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) line += (i ? "  " : "") + pad(row[i], widths[i], i >= 2);
    out << line << '\n';
  }
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
    entry["baseline"] = m.baseline ? boost::json::value(*m.baseline) : boost::json::value(nullptr);
    entry["baseline_label"] = m.baseline_label;
    entry["ratio"] = ratio ? boost::json::value(*ratio) : boost::json::value(nullptr);
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
  const auto number = [](std::optional<double> v) {
    if (!v) return std::string();
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", *v);
    return std::string(text);
  };
  for (const auto& m : report.measurements) {
    csv += report.benchmark + "," + m.key + "," + csv_field(m.label) + "," + csv_field(m.unit) + "," +
           number(m.value) + "," + number(m.baseline) + "," + csv_field(m.baseline_label) + "," +
           number(m.ratio()) + "\n";
  }
  return csv;
}

void write_file(const std::filesystem::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + file.string());
}

}  // namespace msocket::mbench
