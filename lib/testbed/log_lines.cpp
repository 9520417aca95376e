#include "testbed/log_lines.hpp"

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <thread>

#include "testbed/files.hpp"
#include "testbed/interruption.hpp"

using namespace std::chrono_literals;

namespace msocket::testbed {

namespace {

constexpr std::chrono::milliseconds kDay = 24h;

bool digits(const std::string& text, std::size_t at, std::size_t count) {
  if (text.size() < at + count) return false;
  for (std::size_t i = at; i < at + count; ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  return true;
}

// The local time of day of `t`, as spdlog prints it (its default is local time).
std::chrono::duration<double, std::milli> local_time_of_day(std::chrono::system_clock::time_point t) {
  const auto seconds = std::chrono::system_clock::to_time_t(t);
  std::tm local{};
  ::localtime_r(&seconds, &local);
  const auto whole = std::chrono::system_clock::from_time_t(seconds);
  return std::chrono::hours(local.tm_hour) + std::chrono::minutes(local.tm_min) + std::chrono::seconds(local.tm_sec) +
         std::chrono::duration<double, std::milli>(t - whole);
}

// What a wait says when it fails: "NAME exited ... before BEFORE: TAIL" or
// "NAME did not NOT_DONE: TAIL".
struct WaitWords {
  std::string before;
  std::string not_done;
};

// Calls `look` every 5 ms until it returns true; once more after `child`
// has exited (it may have written the line on its way out).
void watch_log(const std::filesystem::path& log, ChildProcess& child, std::chrono::milliseconds timeout,
               const std::function<bool()>& look, const WaitWords& words) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (look()) return;
    throw_if_interrupted();
    if (auto done = child.wait_for(0ms)) {
      if (look()) return;
      throw std::runtime_error(child.name() + " " + done->describe() + " before " + words.before + ": " +
                               file_tail(log));
    }
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error(child.name() + " did not " + words.not_done + ": " + file_tail(log));
    std::this_thread::sleep_for(5ms);
  }
}

// PORT of the first "listening on ADDR:PORT" line of `log`.
std::optional<unsigned short> listening_port(const std::filesystem::path& log) {
  static const std::string kMarker = "listening on ";
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) {
    const auto at = line.find(kMarker);
    const auto colon = line.rfind(':');
    if (at == std::string::npos || colon == std::string::npos || colon < at) continue;
    const int port = std::atoi(line.c_str() + colon + 1);
    if (port > 0 && port < 65536) return static_cast<unsigned short>(port);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::chrono::milliseconds> leading_time_of_day(const std::string& line) {
  if (!digits(line, 0, 2) || line.size() < 12 || line[2] != ':' || !digits(line, 3, 2) || line[5] != ':' ||
      !digits(line, 6, 2) || line[8] != '.' || !digits(line, 9, 3))
    return std::nullopt;
  const auto number = [&](std::size_t at, std::size_t n) { return std::stoi(line.substr(at, n)); };
  return std::chrono::hours(number(0, 2)) + std::chrono::minutes(number(3, 2)) + std::chrono::seconds(number(6, 2)) +
         std::chrono::milliseconds(number(9, 3));
}

std::vector<LogLine> read_lines_with(const std::filesystem::path& log, const std::string& marker) {
  std::vector<LogLine> found;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find(marker) != std::string::npos) found.push_back({line, leading_time_of_day(line)});
  return found;
}

std::vector<LogLine> wait_for_lines(const std::filesystem::path& log, const std::string& marker, std::size_t count,
                                    ChildProcess& child, std::chrono::milliseconds timeout) {
  std::vector<LogLine> found;
  const auto what = "'" + marker + "' " + (count > 1 ? std::to_string(count) + " times" : std::string());
  watch_log(
      log, child, timeout,
      [&] {
        found = read_lines_with(log, marker);
        return found.size() >= count;
      },
      {"logging " + what, "log " + what + " within " + std::to_string(timeout.count()) + " ms"});
  return found;
}

unsigned short wait_for_listening_port(const std::filesystem::path& log, ChildProcess& child,
                                       std::chrono::milliseconds timeout) {
  std::optional<unsigned short> port;
  watch_log(
      log, child, timeout, [&] { return (port = listening_port(log)).has_value(); },
      {"listening", "say 'listening on' in time"});
  return *port;
}

double milliseconds_until(std::chrono::system_clock::time_point since, const LogLine& line) {
  if (!line.time_of_day) throw std::runtime_error("a log line without a time of day: " + line.text);
  auto difference = std::chrono::duration<double, std::milli>(*line.time_of_day) - local_time_of_day(since);
  // Across midnight: the two are never half a day apart.
  if (difference < -kDay / 2) difference += kDay;
  if (difference > kDay / 2) difference -= kDay;
  return difference.count();
}

}  // namespace msocket::testbed
