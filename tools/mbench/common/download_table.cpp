#include "common/download_table.hpp"

#include <algorithm>
#include <cstdio>
#include <sstream>

#include "common/text_table.hpp"

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
  if (cell.is_number()) return six_significant_digits(cell.to_number<double>());
  return csv_field(std::string(cell.get_string()));
}

}  // namespace

void print_download_table(const DownloadTable& table, std::ostream& out) {
  std::vector<std::vector<std::string>> lines{{}};
  for (const auto& column : table.columns) lines[0].push_back(column.heading);
  for (const auto& row : table.rows) {
    lines.emplace_back();
    for (const auto& cell : row) lines.back().push_back(cell_text(cell));
  }
  out << aligned_rows(lines, [&](std::size_t column) { return !table.rows.empty() && table.rows[0][column].is_number(); });
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

ResultOutputs download_table_outputs(const DownloadTable& table) {
  std::ostringstream text;
  print_download_table(table, text);
  return {table.benchmark, text.str(), [&table] { return download_table_json(table); },
          [&table] { return download_table_csv(table); }, table.benchmark, {}};
}

}  // namespace msocket::mbench
