#include "energy/energy_download.hpp"

#include <algorithm>

#include "energy/energy_interface_counters.hpp"
#include "multipath/download_schemes.hpp"

using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

// How long the devices must be quiet before a trace ends: longer than
// anything of the download can still be on its way once both ends have
// exited (a full emulator queue, 100 ms at the rate, plus the one-way delay).
std::chrono::milliseconds quiet_period(const testbed::TwoPathTestbed& testbed) {
  auto longest_one_way = std::chrono::microseconds{0};
  for (std::size_t i = 0; i < testbed::TwoPathTestbed::kPaths; ++i)
    longest_one_way = std::max(longest_one_way, testbed.path(i).rtt / 2);
  return std::max<std::chrono::milliseconds>(300ms, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                        longest_one_way + 200ms));
}

}  // namespace

EnergyDownload run_energy_download(const testbed::TwoPathTestbed& testbed, const EnergyCase& energy_case, const EnergyPlan& plan) {
  std::vector<std::string> client_paths;
  for (const auto path : energy_case.paths) client_paths.insert(client_paths.end(), {"-s", testbed::TwoPathTestbed::client_address(path)});
  const auto tool = msocket_tool(plan.mcat, energy_case.key, "", client_paths);
  auto download = download_plan(testbed, plan.bytes, plan.log_dir);
  download.on_progress = plan.on_progress;
  InterfaceCounterSampler sampler(
      [&testbed] {
        const auto devices = testbed.client_device_bytes();
        return std::vector<testbed::InterfaceBytes>(devices.begin(), devices.end());
      },
      plan.sample_interval, quiet_period(testbed));
  EnergyDownload result{run_pattern_download(tool, download), {}};
  result.traces = sampler.stop();  // after both ends: their closing packets are part of the trace
  return result;
}

}  // namespace msocket::mbench
