// One download of `mbench energy`: a server (mcat -l) in the server
// namespace sends SIZE bytes read from a sparse file; the client (mcat, with
// one -s per path it may use) in the client namespace writes them to a pipe
// that mbench drains and counts. Meanwhile a sampler reads the client's
// interface counters every few milliseconds: the trace the radio model is
// applied to. Both ends are stopped in every case.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "testbed/radio_energy.hpp"

namespace msocket::mbench {

// Where a download runs: the two-path testbed, as the energy benchmark sees it.
struct EnergyNetwork {
  std::string client_namespace, router_namespace, server_namespace;
  std::string server_address;
  std::vector<std::string> client_interfaces;  // [0] the "WiFi" path, [1] the "LTE" path
  std::vector<std::string> client_addresses;   // the address of each of them
};

// Which of the client's paths a case may use (indices into EnergyNetwork).
struct EnergyCase {
  std::string key;    // "wifi", "lte", "both": stable, for JSON and CSV
  std::string label;  // "WiFi only"
  std::vector<std::size_t> paths;
};

struct DownloadPlan {
  std::filesystem::path mcat;
  std::uint64_t bytes = 0;
  std::filesystem::path work_dir;  // the payload file and the ends' logs
  std::chrono::milliseconds sample_interval{10};
  std::chrono::seconds timeout{120};
  // Called about four times a second with the bytes received so far.
  std::function<void(std::uint64_t received)> on_progress;
};

struct DownloadResult {
  double seconds = 0;  // the client's start to the last byte out of it
  std::uint64_t bytes = 0;
  // One trace per client interface, in EnergyNetwork's order.
  std::vector<std::vector<testbed::TrafficSample>> traces;
};

// Runs one download. Throws std::runtime_error (with the failing end's
// stderr) if an end fails, fewer bytes arrive than were sent, or the
// timeout passes; Interrupted on SIGINT or SIGTERM.
DownloadResult run_download(const EnergyNetwork& network, const EnergyCase& energy_case, const DownloadPlan& plan);

}  // namespace msocket::mbench
