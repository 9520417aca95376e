// SIGINT and SIGTERM become a flag that loops look at. The handlers are
// installed in a forked child, so that this test process keeps its own.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>

#include <catch2/catch.hpp>

#include "testbed/interruption.hpp"

using namespace std::chrono_literals;
namespace testbed = msocket::testbed;

namespace {

// Runs `check` in a forked child; returns its exit status (0: all held).
template <class Check>
int in_child(Check check) {
  std::fflush(nullptr);  // the child must not write our buffered output twice
  const pid_t child = ::fork();
  if (child == 0) std::_Exit(check());
  int status = 0;
  ::waitpid(child, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
}

int interrupted_by(int signal_number) {
  testbed::catch_interruptions();
  if (testbed::interrupted()) return 1;
  testbed::throw_if_interrupted();  // nothing yet
  std::raise(signal_number);        // recorded, not fatal
  if (!testbed::interrupted()) return 2;
  try {
    testbed::throw_if_interrupted();
    return 3;
  } catch (const testbed::Interrupted& e) {
    if (std::string(e.what()) != "interrupted") return 4;
  }
  const auto before = std::chrono::steady_clock::now();
  try {
    testbed::pause_for(10s);
    return 5;
  } catch (const testbed::Interrupted&) {
  }
  return std::chrono::steady_clock::now() - before < 1s ? 0 : 6;
}

}  // namespace

TEST_CASE("SIGINT and SIGTERM are recorded, not fatal, once caught", "[testbed]") {
  CHECK(in_child([] { return interrupted_by(SIGINT); }) == 0);
  CHECK(in_child([] { return interrupted_by(SIGTERM); }) == 0);
}

TEST_CASE("pause_for sleeps its time when nothing interrupts it", "[testbed]") {
  const auto before = std::chrono::steady_clock::now();
  testbed::pause_for(60ms);
  CHECK(std::chrono::steady_clock::now() - before >= 60ms);
  testbed::pause_for(0ms);
}
