// The network `mbench energy` downloads over: a client namespace with two
// interfaces, the "WiFi" path (eth0) and the "LTE" path (eth1), each with a
// default route, a router, and a server behind it. Everything it builds is
// removed by the destructor, which also runs on failure and, through
// interruption.hpp, on Ctrl-C. Needs root.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "energy_download.hpp"

namespace msocket::mbench {

class EnergyTestbed {
 public:
  virtual ~EnergyTestbed() = default;
  virtual const EnergyNetwork& network() const = 0;
  // For the report: "eth0 40 Mbit/s, eth1 20 Mbit/s (tc tbf), no added delay".
  virtual std::string description() const = 0;
};

// Builds the testbed (logs in `log_dir`). Throws std::runtime_error when not
// root, when ip(8) or tc(8) is missing, or when a step fails (after removing
// what it had made).
std::unique_ptr<EnergyTestbed> make_energy_testbed(const std::filesystem::path& log_dir);

}  // namespace msocket::mbench
