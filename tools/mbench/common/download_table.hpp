// The results of `mbench multipath` and `mbench handover`: one row per
// download case and several figures per row (time, goodput, ratios, bytes
// per path), which the two-column Report of report.hpp cannot hold. Printed
// as an aligned table on stdout, written as JSON ({"benchmark", "settings",
// "columns", "rows": [{KEY: value}], "notes", "samples"}) and as CSV (one
// header line of keys, then one line per row).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "common/output.hpp"

namespace msocket::mbench {

struct TableColumn {
  std::string key;      // for JSON and CSV: "goodput_mbit_s"
  std::string heading;  // for people: "goodput Mbit/s"
};

struct DownloadTable {
  std::string benchmark;  // "multipath", "handover"
  std::vector<TableColumn> columns;
  // Cells in column order: a number, a string, or null (printed "-").
  std::vector<std::vector<boost::json::value>> rows;
  boost::json::object settings;
  std::vector<std::string> notes;  // printed under the table, kept in JSON
  boost::json::object samples;     // raw series, JSON only
};

void print_download_table(const DownloadTable& table, std::ostream& out);
boost::json::object download_table_json(const DownloadTable& table);
std::string download_table_csv(const DownloadTable& table);

// The table, its JSON and CSV as outputs (output.hpp), the charts left to
// the command. `table` is captured by reference.
ResultOutputs download_table_outputs(const DownloadTable& table);

}  // namespace msocket::mbench
