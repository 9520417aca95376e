// Where a finished benchmark's report goes: the table on stdout, and the
// files the command line asked for (JSON, CSV, charts).
#pragma once

#include "command_line.hpp"
#include "report.hpp"

namespace msocket::mbench {

// Throws (naming the file) if a file cannot be written or gnuplot fails;
// the table is printed first, so the numbers are never lost.
void write_outputs(const Report& report, const OutputOptions& output);

}  // namespace msocket::mbench
