#include "log_lines.hpp"

#include <cstdlib>
#include <ctime>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "interruption.hpp"

using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

constexpr std::chrono::milliseconds kDay = 24h;

bool digits(const std::string& text, std::size_t at, std::size_t count) {
  if (text.size() < at + count) return false;
  for (std::size_t i = at; i < at + count; ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  return true;
}

// "HH:MM:SS.mmm" at the start of the line.
std::optional<std::chrono::milliseconds> leading_time_of_day(const std::string& line) {
  if (!digits(line, 0, 2) || line.size() < 12 || line[2] != ':' || !digits(line, 3, 2) || line[5] != ':' ||
      !digits(line, 6, 2) || line[8] != '.' || !digits(line, 9, 3))
    return std::nullopt;
  const auto number = [&](std::size_t at, std::size_t n) { return std::stoi(line.substr(at, n)); };
  return std::chrono::hours(number(0, 2)) + std::chrono::minutes(number(3, 2)) + std::chrono::seconds(number(6, 2)) +
         std::chrono::milliseconds(number(9, 3));
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

}  // namespace

std::vector<LogLine> read_lines_with(const std::filesystem::path& log, const std::string& marker) {
  std::vector<LogLine> found;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);)
    if (line.find(marker) != std::string::npos) found.push_back({line, leading_time_of_day(line)});
  return found;
}

std::vector<LogLine> wait_for_lines(const std::filesystem::path& log, const std::string& marker, std::size_t count,
                                    ChildProcess& child, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto found = read_lines_with(log, marker);
    if (found.size() >= count) return found;
    throw_if_interrupted();
    const auto what = "'" + marker + "' " + (count > 1 ? std::to_string(count) + " times" : std::string());
    if (auto done = child.wait_for(0ms)) {
      found = read_lines_with(log, marker);  // it may have written the line on its way out
      if (found.size() >= count) return found;
      throw std::runtime_error(child.name() + " " + done->describe() + " before logging " + what + ": " +
                               file_tail(log));
    }
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error(child.name() + " did not log " + what + " within " +
                               std::to_string(timeout.count()) + " ms: " + file_tail(log));
    std::this_thread::sleep_for(5ms);
  }
}

double milliseconds_until(std::chrono::system_clock::time_point since, const LogLine& line) {
  if (!line.time_of_day) throw std::runtime_error("a log line without a time of day: " + line.text);
  auto difference = std::chrono::duration<double, std::milli>(*line.time_of_day) - local_time_of_day(since);
  // Across midnight: the two are never half a day apart.
  if (difference < -kDay / 2) difference += kDay;
  if (difference > kDay / 2) difference -= kDay;
  return difference.count();
}

std::optional<double> number_field(const std::string& text, const std::string& key) {
  const auto at = text.find(key + "=");
  if (at == std::string::npos) return std::nullopt;
  const char* start = text.c_str() + at + key.size() + 1;
  char* end = nullptr;
  const double value = std::strtod(start, &end);
  if (end == start) return std::nullopt;
  return value;
}

}  // namespace msocket::mbench
