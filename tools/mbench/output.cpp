#include "output.hpp"

#include <cstdio>
#include <iostream>

#include <boost/json/serialize.hpp>

#include "plot.hpp"

namespace msocket::mbench {

void write_outputs(const Report& report, const OutputOptions& output) {
  print_table(report, std::cout);
  std::cout.flush();
  if (output.json_file) write_file(*output.json_file, boost::json::serialize(to_json(report)) + "\n");
  if (output.csv_file) write_file(*output.csv_file, to_csv(report));
  if (output.plot_dir) {
    plot_report(report, *output.plot_dir);
    std::fprintf(stderr, "mbench %s: charts in %s/%s.{png,svg}\n", report.benchmark.c_str(),
                 output.plot_dir->c_str(), report.benchmark.c_str());
  }
}

}  // namespace msocket::mbench
