// One download of `mbench energy` over the two-path testbed: the pattern
// download of `mbench multipath` (multipath/pattern_download.hpp) with mcat,
// the client given one -s per path it may use, while a sampler reads the
// client's device counters every few milliseconds: the trace the radio
// model is applied to.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "multipath/pattern_download.hpp"
#include "testbed/radio_energy.hpp"
#include "testbed/two_path_testbed.hpp"

namespace msocket::mbench {

// Which of the testbed's paths a case may use.
struct EnergyCase {
  std::string key;    // "wifi", "lte", "both": stable, for JSON and CSV
  std::string label;  // "WiFi only"
  std::vector<std::size_t> paths;
};

struct EnergyPlan {
  std::filesystem::path mcat;
  std::uint64_t bytes = 0;
  std::filesystem::path log_dir;  // the ends' logs
  std::chrono::milliseconds sample_interval{10};
  // Called about twice a second with the bytes received so far.
  std::function<void(std::uint64_t received)> on_progress;
};

struct EnergyDownload {
  PatternDownloadResult download;
  // One trace per client device, eth0 then eth1.
  std::vector<std::vector<testbed::TrafficSample>> traces;
};

// Runs one download. Throws std::runtime_error (with the failing end's
// stderr) if an end fails, a byte is wrong or missing, or the timeout
// passes; Interrupted on SIGINT or SIGTERM.
EnergyDownload run_energy_download(const testbed::TwoPathTestbed& testbed, const EnergyCase& energy_case, const EnergyPlan& plan);

}  // namespace msocket::mbench
