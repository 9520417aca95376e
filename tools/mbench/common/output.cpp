#include "common/output.hpp"

#include <cstdio>
#include <iostream>
#include <sstream>

#include <boost/json/serialize.hpp>

#include "common/plot.hpp"
#include "testbed/files.hpp"

namespace msocket::mbench {

void write_outputs(const ResultOutputs& outputs, const OutputOptions& output) {
  std::cout << outputs.table;
  std::cout.flush();
  if (output.json_file) testbed::write_file(*output.json_file, boost::json::serialize(outputs.json()) + "\n");
  if (output.csv_file) testbed::write_file(*output.csv_file, outputs.csv());
  if (output.plot_dir && outputs.plot) {
    outputs.plot(*output.plot_dir);
    std::fprintf(stderr, "mbench %s: charts in %s/%s.{png,svg}\n", outputs.command.c_str(), output.plot_dir->c_str(),
                 outputs.chart.c_str());
  }
}

// The report is captured by reference: the outputs are written before it goes.
ResultOutputs report_outputs(const Report& report) {
  std::ostringstream table;
  print_table(report, table);
  return {report.benchmark,
          table.str(),
          [&report] { return to_json(report); },
          [&report] { return to_csv(report); },
          report.benchmark,
          [&report](const std::filesystem::path& dir) { plot_report(report, dir); }};
}

void write_outputs(const Report& report, const OutputOptions& output) { write_outputs(report_outputs(report), output); }

}  // namespace msocket::mbench
