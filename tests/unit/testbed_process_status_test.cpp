#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>

#include "testbed/process_status.hpp"

namespace testbed = msocket::testbed;

namespace {

// Parts of /proc/PID/status as Linux 6.x writes it.
const std::string kStatus =
    "Name:\tmproxy\n"
    "VmPeak:\t   22512 kB\n"
    "VmHWM:\t    9000 kB\n"
    "VmRSS:\t    8804 kB\n"
    "RssAnon:\t    1324 kB\n"
    "RssFile:\t    7480 kB\n"
    "Threads:\t1\n";

}  // namespace

TEST_CASE("parse_process_status reads the resident and anonymous memory", "[testbed]") {
  const auto memory = testbed::parse_process_status(kStatus);
  REQUIRE(memory);
  CHECK(memory->resident_kib == 8804);
  CHECK(memory->anonymous_kib == 1324);
  CHECK_FALSE(testbed::parse_process_status("Name:\tx\nVmRSS:\t 10 kB\n"));  // no RssAnon (a kernel thread)
  CHECK_FALSE(testbed::parse_process_status("VmRSS:\t x kB\nRssAnon:\t 1 kB\n"));
  CHECK_FALSE(testbed::parse_process_status(""));
}

TEST_CASE("parse_process_cpu_ticks adds utime and stime, whatever the command's name", "[testbed]") {
  // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime ...
  CHECK(testbed::parse_process_cpu_ticks("4242 (mproxy) S 1 4242 4242 0 -1 4194560 700 0 0 0 125 31 0 0 20 0 1") == 156);
  CHECK(testbed::parse_process_cpu_ticks("7 (a) b (c)) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0") == 7);
  CHECK_FALSE(testbed::parse_process_cpu_ticks("4242 (mproxy) S 1 4242 4242 0 -1 4194560 700 0 0 0 125"));
  CHECK_FALSE(testbed::parse_process_cpu_ticks("4242 (mproxy) S 1 4242 4242 0 -1 4194560 700 0 0 0 12x 31"));
  CHECK_FALSE(testbed::parse_process_cpu_ticks("no parenthesis"));
}

TEST_CASE("the readers see this process", "[testbed]") {
  const auto memory = testbed::read_process_memory(::getpid());
  CHECK(memory.resident_kib > 0);
  CHECK(memory.anonymous_kib <= memory.resident_kib);
  CHECK(testbed::read_process_cpu_seconds(::getpid()) >= 0);
  CHECK(testbed::count_open_descriptors(::getpid()) >= 3);
  CHECK_THROWS_WITH(testbed::read_process_memory(-1), Catch::Contains("/proc/-1/status"));
}
