#include "testbed/process_status.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace msocket::testbed {

namespace {

// The number after `key` (such as "VmRSS:") at the start of a line of `text`.
std::optional<std::uint64_t> field_of(std::string_view text, std::string_view key) {
  std::size_t at = 0;
  while (at < text.size()) {
    const auto end = std::min(text.find('\n', at), text.size());
    auto line = text.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(key)) continue;
    line.remove_prefix(key.size());
    line.remove_prefix(std::min(line.find_first_not_of(" \t"), line.size()));
    std::uint64_t value = 0;
    const auto [stop, ec] = std::from_chars(line.data(), line.data() + line.size(), value);
    if (ec != std::errc()) return std::nullopt;
    return value;
  }
  return std::nullopt;
}

std::string proc_file(pid_t pid, const char* name) { return "/proc/" + std::to_string(pid) + "/" + name; }

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  if (in) text << in.rdbuf();
  if (!in || text.str().empty()) throw std::runtime_error("cannot read " + path + " (has the process ended?)");
  return text.str();
}

}  // namespace

std::optional<ProcessMemory> parse_process_status(std::string_view text) {
  const auto resident = field_of(text, "VmRSS:");
  const auto anonymous = field_of(text, "RssAnon:");
  if (!resident || !anonymous) return std::nullopt;
  return ProcessMemory{*resident, *anonymous};
}

// "PID (COMMAND) STATE PPID ...": utime and stime are the 14th and 15th
// fields, the 12th and 13th after the command's closing parenthesis.
std::optional<std::uint64_t> parse_process_cpu_ticks(std::string_view text) {
  const auto close = text.rfind(')');
  if (close == std::string_view::npos) return std::nullopt;
  std::istringstream fields{std::string(text.substr(close + 1))};
  std::string field;
  std::uint64_t ticks = 0;
  for (int k = 3; k <= 15; ++k) {
    if (!(fields >> field)) return std::nullopt;
    if (k < 14) continue;
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (ec != std::errc() || end != field.data() + field.size()) return std::nullopt;
    ticks += value;
  }
  return ticks;
}

ProcessMemory read_process_memory(pid_t pid) {
  const auto path = proc_file(pid, "status");
  const auto memory = parse_process_status(read_text(path));
  if (!memory) throw std::runtime_error(path + " has no VmRSS and RssAnon lines");
  return *memory;
}

double read_process_cpu_seconds(pid_t pid) {
  const auto path = proc_file(pid, "stat");
  const auto ticks = parse_process_cpu_ticks(read_text(path));
  if (!ticks) throw std::runtime_error(path + " is not as expected");
  return static_cast<double>(*ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::size_t count_open_descriptors(pid_t pid) {
  std::error_code ec;
  std::size_t count = 0;
  for (std::filesystem::directory_iterator it(proc_file(pid, "fd"), ec), end; !ec && it != end; it.increment(ec)) ++count;
  if (ec) throw std::runtime_error("cannot list " + proc_file(pid, "fd") + ": " + ec.message());
  return count;
}

}  // namespace msocket::testbed
