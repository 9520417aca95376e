#include "download_table.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

#include <boost/json/serialize.hpp>

#include "report.hpp"

namespace msocket::mbench {

namespace {

// As report.cpp prints its numbers: enough digits, no exponents for the
// magnitudes of seconds, Mbit/s and ratios.
std::string cell_text(const boost::json::value& cell) {
  if (cell.is_string()) return std::string(cell.get_string());
  if (cell.is_null()) return "-";
  if (cell.is_bool()) return cell.get_bool() ? "yes" : "no";
  const double value = cell.to_number<double>();
  char text[32];
  const double magnitude = value < 0 ? -value : value;
  if (cell.is_int64() || cell.is_uint64()) std::snprintf(text, sizeof text, "%.0f", value);
  else if (magnitude >= 100) std::snprintf(text, sizeof text, "%.0f", value);
  else if (magnitude >= 10) std::snprintf(text, sizeof text, "%.1f", value);
  else std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

std::string csv_text(const boost::json::value& cell) {
  if (cell.is_null()) return "";
  if (cell.is_bool()) return cell.get_bool() ? "true" : "false";
  if (cell.is_number()) {
    char text[32];
    std::snprintf(text, sizeof text, "%.6g", cell.to_number<double>());
    return text;
  }
  const std::string text(cell.get_string());
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

}  // namespace

void print_download_table(const DownloadTable& table, std::ostream& out) {
  std::vector<std::vector<std::string>> lines{{}};
  for (const auto& column : table.columns) lines[0].push_back(column.heading);
  for (const auto& row : table.rows) {
    lines.emplace_back();
    for (const auto& cell : row) lines.back().push_back(cell_text(cell));
  }
  std::vector<std::size_t> widths(table.columns.size(), 0);
  for (const auto& line : lines)
    for (std::size_t i = 0; i < line.size() && i < widths.size(); ++i) widths[i] = std::max(widths[i], line[i].size());
  for (const auto& line : lines) {
    std::string text;
    for (std::size_t i = 0; i < line.size() && i < widths.size(); ++i) {
      const auto fill = std::string(widths[i] - line[i].size(), ' ');
      const bool numeric = !table.rows.empty() && table.rows[0][i].is_number();
      text += (i ? "  " : "") + (numeric ? fill + line[i] : line[i] + fill);
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out << text << '\n';
  }
  for (const auto& note : table.notes) out << note << '\n';
}

boost::json::object download_table_json(const DownloadTable& table) {
  boost::json::array columns, rows;
  for (const auto& column : table.columns) columns.push_back({{"key", column.key}, {"heading", column.heading}});
  for (const auto& row : table.rows) {
    boost::json::object entry;
    for (std::size_t i = 0; i < row.size() && i < table.columns.size(); ++i) entry[table.columns[i].key] = row[i];
    rows.push_back(std::move(entry));
  }
  boost::json::object json{{"benchmark", table.benchmark}, {"settings", table.settings}, {"columns", std::move(columns)},
                           {"rows", std::move(rows)}, {"notes", boost::json::array(table.notes.begin(), table.notes.end())}};
  if (!table.samples.empty()) json["samples"] = table.samples;
  return json;
}

std::string download_table_csv(const DownloadTable& table) {
  std::string csv = "benchmark";
  for (const auto& column : table.columns) csv += "," + column.key;
  csv += "\n";
  for (const auto& row : table.rows) {
    csv += table.benchmark;
    for (const auto& cell : row) csv += "," + csv_text(cell);
    csv += "\n";
  }
  return csv;
}

void write_download_table(const DownloadTable& table, const OutputOptions& output) {
  print_download_table(table, std::cout);
  std::cout.flush();
  if (output.json_file) write_file(*output.json_file, boost::json::serialize(download_table_json(table)) + "\n");
  if (output.csv_file) write_file(*output.csv_file, download_table_csv(table));
}

}  // namespace msocket::mbench
