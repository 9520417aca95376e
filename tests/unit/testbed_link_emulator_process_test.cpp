// The link emulator as a child process: its command line (pure), and a
// stand-in that says "link up: " or fails to.
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "testbed/files.hpp"
#include "testbed/link_emulator_process.hpp"

using namespace std::chrono_literals;
namespace testbed = msocket::testbed;
using Argv = std::vector<std::string>;

TEST_CASE("the emulator's delay is milliseconds with three decimals", "[testbed]") {
  CHECK(testbed::emulator_delay_text(72500us) == "72.500ms");
  CHECK(testbed::emulator_delay_text(0us) == "0.000ms");
  CHECK(testbed::emulator_delay_text(40061us) == "40.061ms");
}

TEST_CASE("the emulator's command line names both ends, the delay and the rate", "[testbed]") {
  testbed::EmulatedLink link{{"cli", "10.231.0.2", "eth0"}, {"rtr", "10.231.0.1", "wifi0"}, 40ms, 40'000'000};
  const Argv with_rate{"/bin/mbench", "link", "-v", "--ns-a", "cli", "--addr-a", "10.231.0.2", "--ns-b", "rtr",
                       "--addr-b", "10.231.0.1", "--dev-a", "eth0", "--dev-b", "wifi0", "--delay", "40.000ms",
                       "--rate", "40000000"};
  CHECK(testbed::link_emulator_arguments({"/bin/mbench", "link"}, link) == with_rate);
  link.rate.reset();  // the emulator's default: unlimited
  const Argv without_rate(with_rate.begin(), with_rate.end() - 2);
  CHECK(testbed::link_emulator_arguments({"/bin/mbench", "link"}, link) == without_rate);
}

TEST_CASE("an emulator process is ready at its 'link up: ' line and stopped by its owner", "[testbed]") {
  const testbed::TemporaryDirectory scratch("testbed-emulator");
  const auto log = scratch.path() / "link.log";
  testbed::LinkEmulatorProcess emulator({"sh", "-c", "echo 'link up: a <-> b' >&2; trap 'exit 0' TERM; "
                                                     "while :; do sleep 0.05; done"},
                                        log);
  CHECK(testbed::file_tail(log) == "link up: a <-> b");
  emulator.stop();
  emulator.stop();  // once is enough; twice is harmless
}

TEST_CASE("an emulator that fails before 'link up: ' is reported with its words", "[testbed]") {
  const testbed::TemporaryDirectory scratch("testbed-emulator");
  CHECK_THROWS_WITH(testbed::LinkEmulatorProcess({"sh", "-c", "echo 'cannot open /dev/net/tun' >&2; exit 1"},
                                                 scratch.path() / "link.log"),
                    "sh exited with status 1 before logging 'link up: ' : cannot open /dev/net/tun");
}
