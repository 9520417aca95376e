// Reading the -v logs of the programs a testbed runs (mcat, mnamed, the
// link emulator): waiting for a line that says a program is ready ("link
// up: ", "listening on ADDR:PORT"), the lines that carry a marker
// ("migrated conn="), and the time each was logged. The project's tools
// begin their lines with the local time of day, "HH:MM:SS.mmm" (spdlog's
// pattern, man/mcat.1, VERBOSE OUTPUT); comparing it with a time taken by
// the testbed gives intervals to the millisecond without polling delays.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "testbed/child_process.hpp"

namespace msocket::testbed {

struct LogLine {
  std::string text;
  // Milliseconds since local midnight, when the line starts with HH:MM:SS.mmm.
  std::optional<std::chrono::milliseconds> time_of_day;
};

// "HH:MM:SS.mmm" at the start of `line`, as milliseconds since midnight.
std::optional<std::chrono::milliseconds> leading_time_of_day(const std::string& line);

// The lines of `log` that contain `marker`, in order ({} if unreadable).
std::vector<LogLine> read_lines_with(const std::filesystem::path& log, const std::string& marker);

// Waits until `log` has at least `count` lines containing `marker` and
// returns them all. Throws std::runtime_error, with the log's tail, when
// `child` exits first or `timeout` passes; Interrupted (interruption.hpp)
// on SIGINT or SIGTERM.
std::vector<LogLine> wait_for_lines(const std::filesystem::path& log, const std::string& marker, std::size_t count,
                                    ChildProcess& child, std::chrono::milliseconds timeout);

// Waits until `log` (a child's stderr) has a line "... listening on ADDR:PORT"
// and returns PORT. Throws as wait_for_lines does.
unsigned short wait_for_listening_port(const std::filesystem::path& log, ChildProcess& child,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

// Milliseconds from `since` to when `line` was logged (negative if earlier;
// across midnight too). Throws std::runtime_error when the line has no
// time of day.
double milliseconds_until(std::chrono::system_clock::time_point since, const LogLine& line);

}  // namespace msocket::testbed
