#include "energy/energy_power_trace.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "common/output.hpp"
#include "common/report.hpp"
#include "testbed/radio_energy.hpp"

namespace msocket::mbench {

namespace {

testbed::PowerTrace read_trace(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read the power trace " + file);
  std::ostringstream text;
  text << in.rdbuf();
  auto result = testbed::integrate_power_trace(text.str());
  if (const auto* error = std::get_if<testbed::PowerTraceError>(&result))
    throw std::runtime_error(file + ": " + error->describe());
  return std::get<testbed::PowerTrace>(result);
}

}  // namespace

int run_power_traces(const std::vector<std::string>& files, const OutputOptions& output) {
  Report report{"energy", "measured", "-", {}, {}, {}, {}, {}, {}, {}};
  boost::json::array names;
  for (const auto& file : files) {
    const auto trace = read_trace(file);
    // The file's name without its directory and extension names its rows.
    const auto name = std::filesystem::path(file).stem().string();
    names.push_back(boost::json::string(file));
    report.testbed += (report.testbed.empty() ? "measured power traces: " : ", ") + file;
    report.add({name + "_energy", name + ": energy", "J", trace.joules, std::nullopt, "", "energy (J)"});
    report.add({name + "_duration", name + ": duration", "s", trace.span.count(), std::nullopt, "", "duration (s)"});
    report.add({name + "_mean_power", name + ": mean power", "mW", trace.mean_milliwatts(), std::nullopt, "",
                "mean power (mW)"});
  }
  report.settings = {{"source", "power-trace"}, {"files", std::move(names)}};
  report.notes.push_back("measured power traces (time_s,power_mW), integrated with the trapezoid rule from the "
                         "first row to the last");
  write_outputs(report, output);
  return kExitOk;
}

}  // namespace msocket::mbench
