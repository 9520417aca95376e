// `mbench energy --power-trace FILE...`: the energy of measured power traces
// (a power monitor's export, time_s,power_mW), integrated with the trapezoid
// rule (lib/testbed/radio_energy.hpp), reported like the other benchmarks:
// a table, JSON, CSV and bar charts (common/report.hpp).
#pragma once

#include <string>
#include <vector>

#include "common/command_line.hpp"

namespace msocket::mbench {

// Reads and integrates each file, then writes the outputs. Throws
// std::runtime_error naming the file (and the line, for a malformed row) if
// one cannot be read or is malformed; nothing is written then.
int run_power_traces(const std::vector<std::string>& files, const OutputOptions& output);

}  // namespace msocket::mbench
