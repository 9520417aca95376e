// The programs of this project a benchmark runs (mcat, mnamed, and mbench
// itself as the link emulator), and the names of what mbench's testbeds
// create (namespaces mbench-PID-ROLE, devices mbPIDX). Errors throw
// std::runtime_error.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "testbed/namespaces.hpp"

namespace msocket::mbench {

// A program of this project: `explicit_path` if given, else `name` in
// mbench's own directory, else in the build tree's sibling directory
// (tools/mbench/mbench next to tools/NAME/NAME), else in PATH. Throws if
// none is executable.
std::filesystem::path find_project_tool(const std::string& name, const std::optional<std::string>& explicit_path);

// mbench itself (/proc/self/exe). Throws if it cannot be read.
std::filesystem::path self_path();
// The command that runs the link emulator: {mbench, "link"}.
std::vector<std::string> link_emulator_command();

// The names of this run's testbed: mbench-PID-ROLE and mbPIDX, which
// tests look for to check that nothing was left behind.
testbed::TestbedNames testbed_names();

}  // namespace msocket::mbench
