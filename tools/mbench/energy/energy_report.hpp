// The results of `mbench energy`: one row per download (case x size) with
// its time and the joules of each radio, as a table on stdout, JSON, CSV,
// and charts shaped like the paper's Figs. 11 (time vs size) and 12
// (energy vs size).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "common/command_line.hpp"
#include "testbed/radio_energy.hpp"

namespace msocket::mbench {

// The model applied to one of the client's interfaces.
struct EnergyRadio {
  std::string key;        // "wifi", "lte"
  std::string interface;  // "eth0"
  testbed::RadioPowerModel model;
};

struct EnergyRun {
  std::string case_key, case_label;  // "both", "WiFi + LTE (multipath)"
  std::uint64_t size_bytes = 0;
  double seconds = 0;
  std::vector<testbed::RadioEnergy> energy;       // one per radio, in EnergyReport's order
  std::vector<std::uint64_t> interface_bytes;     // both directions, one per radio

  double total_joules() const;
  double joules_per_mib() const { return total_joules() / (static_cast<double>(size_bytes) / (1 << 20)); }
};

struct EnergyReport {
  std::vector<EnergyRadio> radios;
  boost::json::object settings;
  std::vector<EnergyRun> runs;
  std::vector<std::string> notes;
};

// case, size, time, joules per radio, total, J/MiB; then the notes.
std::string energy_table(const EnergyReport& report);
// {"benchmark": "energy", "source": "model", "model": {"reference", "radios":
// [constants]}, "settings", "runs": [{"case", "label", "size_bytes",
// "seconds", "joules": {RADIO..., "total"}, "joules_per_mib", "promotions",
// "interface_bytes": {RADIO...}, "parts_joules": {"promotion", "transfer", "tail"}}], "notes"}
boost::json::object energy_json(const EnergyReport& report);
// benchmark,case,size_bytes,seconds,RADIO_joules...,total_joules,joules_per_mib,RADIO_bytes...
std::string energy_csv(const EnergyReport& report);
// DIR/energy.{png,svg} (and the script, DIR/energy.gp): download time and
// energy against size, one line per case. Throws if gnuplot fails.
void plot_energy(const EnergyReport& report, const std::filesystem::path& dir);

// The table on stdout, then the files asked for.
void write_energy_outputs(const EnergyReport& report, const OutputOptions& output);

// The reference printed with every model result.
inline constexpr const char* kRadioModelReference =
    "J. Huang, F. Qian, A. Gerber, Z. M. Mao, S. Sen, O. Spatscheck, \"A Close Examination of Performance and "
    "Power Characteristics of 4G LTE Networks\", ACM MobiSys 2012, Tables 3 and 4";

}  // namespace msocket::mbench
