// Reading the -v logs of the programs a benchmark runs (mcat, mnamed, mbench
// link): the lines that carry a marker ("migrated conn=", "registered srv
// at ") and the time each was logged. mcat's lines begin with the local time
// of day, "HH:MM:SS.mmm" (man/mcat.1, VERBOSE OUTPUT); comparing it with a
// time taken by mbench gives intervals to the millisecond without polling
// delays.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "child_process.hpp"

namespace msocket::mbench {

struct LogLine {
  std::string text;
  // Milliseconds since local midnight, when the line starts with HH:MM:SS.mmm.
  std::optional<std::chrono::milliseconds> time_of_day;
};

// The lines of `log` that contain `marker`, in order ({} if unreadable).
std::vector<LogLine> read_lines_with(const std::filesystem::path& log, const std::string& marker);

// Waits until `log` has at least `count` lines containing `marker` and
// returns them all. Throws std::runtime_error, with the log's tail, when
// `child` exits first or `timeout` passes; Interrupted on SIGINT or SIGTERM.
std::vector<LogLine> wait_for_lines(const std::filesystem::path& log, const std::string& marker, std::size_t count,
                                    ChildProcess& child, std::chrono::milliseconds timeout);

// Milliseconds from `since` to when `line` was logged (negative if earlier;
// across midnight too). Throws when the line has no time of day.
double milliseconds_until(std::chrono::system_clock::time_point since, const LogLine& line);

// The number after "KEY=" in `text` (e.g. recovery_ms=41.2), if any.
std::optional<double> number_field(const std::string& text, const std::string& key);

}  // namespace msocket::mbench
