// The logs of the programs a testbed runs: lines with a marker, their time
// of day, and waiting for them while the program runs.
#include <chrono>
#include <ctime>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "testbed/files.hpp"
#include "testbed/log_lines.hpp"

using namespace std::chrono_literals;
namespace testbed = msocket::testbed;

namespace {

// Today's local time of day `hours:minutes:seconds` plus `milliseconds`.
std::chrono::system_clock::time_point local_time(int hours, int minutes, int seconds, int milliseconds) {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm local{};
  ::localtime_r(&now, &local);
  local.tm_hour = hours;
  local.tm_min = minutes;
  local.tm_sec = seconds;
  local.tm_isdst = -1;
  return std::chrono::system_clock::from_time_t(std::mktime(&local)) + std::chrono::milliseconds(milliseconds);
}

}  // namespace

TEST_CASE("a line's time of day is read from its first twelve characters", "[testbed]") {
  CHECK(testbed::leading_time_of_day("12:34:56.789 [info] up") == 12h + 34min + 56s + 789ms);
  CHECK(testbed::leading_time_of_day("00:00:00.000") == 0ms);
  CHECK_FALSE(testbed::leading_time_of_day("12:34:56 [info] no milliseconds"));
  CHECK_FALSE(testbed::leading_time_of_day("link up: a <-> b"));
  CHECK_FALSE(testbed::leading_time_of_day("1:34:56.789 short hour"));
  CHECK_FALSE(testbed::leading_time_of_day(""));
}

TEST_CASE("read_lines_with keeps the marked lines in order", "[testbed]") {
  const testbed::TemporaryDirectory scratch("testbed-log");
  const auto log = scratch.path() / "mcat.log";
  testbed::write_file(log, "10:00:00.100 [info] connected to x\n"
                           "10:00:01.200 [info] migrated conn=1 recovery_ms=40\n"
                           "no time here, migrated conn=2\n");
  const auto lines = testbed::read_lines_with(log, "migrated conn=");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].text == "10:00:01.200 [info] migrated conn=1 recovery_ms=40");
  CHECK(lines[0].time_of_day == 10h + 1s + 200ms);
  CHECK_FALSE(lines[1].time_of_day);
  CHECK(testbed::read_lines_with(scratch.path() / "absent", "x").empty());
}

TEST_CASE("milliseconds_until compares a line's time of day with a wall time", "[testbed]") {
  const testbed::LogLine line{"10:00:01.250 migrated", 10h + 1s + 250ms};
  CHECK(testbed::milliseconds_until(local_time(10, 0, 1, 0), line) == Approx(250).margin(1e-6));
  CHECK(testbed::milliseconds_until(local_time(10, 0, 2, 0), line) == Approx(-750).margin(1e-6));
  // Across midnight, both ways.
  const testbed::LogLine after_midnight{"00:00:00.100", 100ms};
  CHECK(testbed::milliseconds_until(local_time(23, 59, 59, 900), after_midnight) == Approx(200).margin(1e-6));
  const testbed::LogLine before_midnight{"23:59:59.900", 24h - 100ms};
  CHECK(testbed::milliseconds_until(local_time(0, 0, 0, 100), before_midnight) == Approx(-200).margin(1e-6));
  CHECK_THROWS_AS(testbed::milliseconds_until(local_time(10, 0, 0, 0), testbed::LogLine{"no time", {}}),
                  std::runtime_error);
}

TEST_CASE("wait_for_lines returns once a running program has logged enough", "[testbed]") {
  const testbed::TemporaryDirectory scratch("testbed-log");
  const auto log = scratch.path() / "stderr";
  testbed::ChildProcess child({"sh", "-c", "echo 'link up: a' >&2; sleep 0.1; echo 'link up: b' >&2; exec sleep 30"},
                              {-1, -1, log});
  const auto lines = testbed::wait_for_lines(log, "link up: ", 2, child, 10s);
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].text == "link up: b");
  CHECK_THROWS_WITH(testbed::wait_for_lines(log, "link up: ", 3, child, 50ms),
                    Catch::StartsWith("sh did not log 'link up: ' 3 times within 50 ms: link up: a | link up: b"));
}

TEST_CASE("wait_for_lines reports a program that exits first, with its last words", "[testbed]") {
  const testbed::TemporaryDirectory scratch("testbed-log");
  const auto log = scratch.path() / "stderr";
  testbed::ChildProcess quitter({"sh", "-c", "echo 'cannot open /dev/net/tun' >&2; exit 3"}, {-1, -1, log});
  CHECK_THROWS_WITH(testbed::wait_for_lines(log, "link up: ", 1, quitter, 10s),
                    "sh exited with status 3 before logging 'link up: ' : cannot open /dev/net/tun");
  // A line written on the way out still counts.
  testbed::ChildProcess last_words({"sh", "-c", "echo 'link up: late' >&2"}, {-1, -1, log});
  last_words.wait_for(10s);
  CHECK(testbed::wait_for_lines(log, "link up: ", 1, last_words, 10s).size() == 1);
}

TEST_CASE("wait_for_listening_port reads the port of a 'listening on' line", "[testbed]") {
  const testbed::TemporaryDirectory scratch("testbed-log");
  const auto log = scratch.path() / "stderr";
  testbed::ChildProcess server({"sh", "-c", "echo 'mcat: listening on 127.0.0.1:40211' >&2; exec sleep 30"},
                               {-1, -1, log});
  CHECK(testbed::wait_for_listening_port(log, server, 10s) == 40211);
  testbed::ChildProcess silent({"sh", "-c", "echo starting >&2; exit 1"}, {-1, -1, log});
  CHECK_THROWS_WITH(testbed::wait_for_listening_port(log, silent, 10s),
                    "sh exited with status 1 before listening: starting");
}
