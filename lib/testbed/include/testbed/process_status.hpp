// What Linux says of a process that still runs (wait4 tells only once it
// has ended): its resident memory from /proc/PID/status, the CPU time it
// has used from /proc/PID/stat, and its open descriptors. The parsers are
// pure (the text comes from the caller); the readers open the files.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace msocket::testbed {

struct ProcessMemory {
  std::uint64_t resident_kib = 0;   // VmRSS: every page in memory
  std::uint64_t anonymous_kib = 0;  // RssAnon: of those, its heap and stacks (no file or shared pages)
};

// VmRSS and RssAnon in the text of /proc/PID/status; nullopt if either is
// missing or malformed.
std::optional<ProcessMemory> parse_process_status(std::string_view text);
// utime + stime, in clock ticks, in the text of /proc/PID/stat; nullopt if
// it is malformed. The command name in parentheses may hold anything.
std::optional<std::uint64_t> parse_process_cpu_ticks(std::string_view text);

// The same, read for `pid`. Throw std::runtime_error naming the file when
// the process is gone or the file cannot be parsed.
ProcessMemory read_process_memory(pid_t pid);
// User and system CPU seconds so far; their resolution is a clock tick
// (sysconf(_SC_CLK_TCK), 10 ms on most systems).
double read_process_cpu_seconds(pid_t pid);
// Entries in /proc/PID/fd.
std::size_t count_open_descriptors(pid_t pid);

}  // namespace msocket::testbed
