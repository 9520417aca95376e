// Child processes: started with chosen streams, reaped with how they ended,
// stopped when asked or when their owner goes. Needs /bin/sh, nothing more.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "testbed/child_process.hpp"
#include "testbed/files.hpp"
#include "testbed/pipes.hpp"

using namespace std::chrono_literals;
namespace testbed = msocket::testbed;

TEST_CASE("ChildExit says how a process ended", "[testbed]") {
  testbed::ChildExit exit;
  exit.status = 0;
  CHECK(exit.success());
  CHECK(exit.describe() == "exited with status 0");
  exit.status = 3 << 8;  // as wait4 reports exit(3)
  CHECK_FALSE(exit.success());
  CHECK(exit.describe() == "exited with status 3");
  exit.status = SIGKILL;  // as wait4 reports a death by SIGKILL
  CHECK_FALSE(exit.success());
  CHECK(exit.describe().starts_with("killed by signal "));
  exit.usage.ru_utime = {1, 500000};
  exit.usage.ru_stime = {0, 250000};
  CHECK(exit.cpu_seconds() == Approx(1.75));
}

TEST_CASE("a child's exit status and stderr are kept", "[testbed]") {
  const testbed::TemporaryDirectory scratch("testbed-child");
  const auto log = scratch.path() / "stderr";
  testbed::ChildProcess child({"sh", "-c", "echo oops >&2; exit 4"}, {-1, -1, log});
  CHECK(child.name() == "sh");
  CHECK(child.pid() > 0);
  const auto exit = child.wait_for(10s);
  REQUIRE(exit);
  CHECK(exit->describe() == "exited with status 4");
  CHECK(testbed::file_tail(log) == "oops");
  CHECK(child.wait_for(0ms)->status == exit->status);  // asked again: the same
}

TEST_CASE("a child writes into the pipe it is given", "[testbed]") {
  auto pipe = testbed::make_pipe();
  testbed::ChildProcess child({"/bin/echo", "hello"}, {-1, pipe->write.get(), {}});
  pipe->write.close();  // else the end of file would never come
  std::string text;
  char buffer[64];
  for (ssize_t n; (n = ::read(pipe->read.get(), buffer, sizeof buffer)) > 0;) text.append(buffer, static_cast<std::size_t>(n));
  CHECK(text == "hello\n");
  CHECK(child.wait_for(10s)->success());
}

TEST_CASE("stop ends a running child, with SIGKILL if SIGTERM is ignored", "[testbed]") {
  testbed::ChildProcess polite({"sleep", "30"}, {});
  CHECK_FALSE(polite.wait_for(0ms));
  const auto ended = polite.stop();
  CHECK(WIFSIGNALED(ended.status));
  CHECK(WTERMSIG(ended.status) == SIGTERM);

  const testbed::TemporaryDirectory scratch("testbed-child");
  const auto log = scratch.path() / "stderr";
  testbed::ChildProcess stubborn({"sh", "-c", "trap '' TERM; echo ready >&2; exec sleep 30"}, {-1, -1, log});
  for (int i = 0; i < 1000 && testbed::file_tail(log) != "ready"; ++i) ::usleep(5000);
  const auto killed = stubborn.stop(100ms);
  CHECK(WIFSIGNALED(killed.status));
  CHECK(WTERMSIG(killed.status) == SIGKILL);
}

TEST_CASE("a program not in PATH is refused before anything starts", "[testbed]") {
  CHECK_THROWS_WITH(testbed::ChildProcess({"no-such-program-of-msocket"}, {}), Catch::Contains("is not installed"));
  CHECK_THROWS_AS(testbed::ChildProcess({}, {}), std::logic_error);
}

TEST_CASE("run_command throws with the command line and its stderr", "[testbed]") {
  testbed::run_command({"true"});
  CHECK_THROWS_WITH(testbed::run_command({"sh", "-c", "echo bad >&2; exit 2"}),
                    "'sh -c echo bad >&2; exit 2' exited with status 2: bad");
  CHECK_THROWS_WITH(testbed::run_command({"sleep", "5"}, 50ms), "'sleep 5' did not finish in time");
}

TEST_CASE("find_in_path finds executables in PATH only", "[testbed]") {
  const auto sh = testbed::find_in_path("sh");
  REQUIRE(sh);
  CHECK(sh->filename() == "sh");
  CHECK_FALSE(testbed::find_in_path("no-such-program-of-msocket"));
}
