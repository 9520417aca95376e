// Children of -e/-c: what they inherit (descriptors, signals) and their
// reaping. Needs /bin/sh, ls and cat.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include <catch2/catch.hpp>
#include <boost/asio/io_context.hpp>

#include "relay/child_process.hpp"

using namespace std::chrono_literals;
namespace relay = msocket::relay;

namespace {

// Runs `argv` with one end of a socket pair as its stdin and stdout; returns
// everything it printed (it must exit, or close its output, within the
// test's patience: reads block).
std::string output_of(const std::vector<std::string>& argv) {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  const auto pid = relay::spawn_child({argv, {}}, fds[1]);
  ::close(fds[1]);
  REQUIRE(pid);
  std::string out;
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;) out.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  REQUIRE(::waitpid(*pid, nullptr, 0) == *pid);
  return out;
}

// The hexadecimal value of a /proc/PID/status line such as "SigIgn:".
unsigned long long status_field(const std::string& status, const std::string& name) {
  const auto at = status.find(name);
  REQUIRE(at != std::string::npos);
  return std::stoull(status.substr(at + name.size()), nullptr, 16);
}

// True once `pid` is gone for good: reaped, not a zombie.
bool reaped(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

// Spawns `sh -c script` with /dev/null as stdin and stdout.
pid_t start(const std::string& script) {
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  REQUIRE(null >= 0);
  const auto pid = relay::spawn_child({{"/bin/sh", "-c", script}, {}}, null);
  ::close(null);
  REQUIRE(pid);
  return *pid;
}

// Waits until `pid` has exited, without reaping it.
void wait_exited(pid_t pid) {
  siginfo_t info{};
  REQUIRE(::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) == 0);
}

}  // namespace

TEST_CASE("a child gets only standard input, output and error", "[cli]") {
  const int leaked = ::open("/dev/null", O_RDONLY);  // not close-on-exec
  REQUIRE(leaked > 2);
  // `exec` so that the listing is ls's own: its directory is one more.
  const auto listing = output_of({"/bin/sh", "-c", "exec ls /proc/self/fd"});
  ::close(leaked);
  CHECK(listing == "0\n1\n2\n3\n");
}

TEST_CASE("a child starts with default signal dispositions and no signal blocked", "[cli]") {
  struct sigaction ignore {}, old_pipe {}, old_hangup {};
  ignore.sa_handler = SIG_IGN;
  REQUIRE(::sigaction(SIGPIPE, &ignore, &old_pipe) == 0);  // as mcat does
  REQUIRE(::sigaction(SIGHUP, &ignore, &old_hangup) == 0);
  sigset_t block, old_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR2);
  REQUIRE(::pthread_sigmask(SIG_BLOCK, &block, &old_mask) == 0);

  const auto status = output_of({"/bin/cat", "/proc/self/status"});

  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  ::sigaction(SIGHUP, &old_hangup, nullptr);
  ::sigaction(SIGPIPE, &old_pipe, nullptr);
  // Signal N is bit N - 1. glibc leaves its internal signals 32 and 33
  // ignored; 1 to 31 must all be at their defaults.
  CHECK((status_field(status, "SigIgn:") & 0x7fffffffULL) == 0);
  CHECK(status_field(status, "SigBlk:") == 0);
}

TEST_CASE("a spawn that cannot start says why", "[cli]") {
  const auto pid = relay::spawn_child({{"/nonexistent/program"}, {}}, 0);
  REQUIRE_FALSE(pid);
  CHECK(pid.error() == boost::system::errc::no_such_file_or_directory);
  CHECK_FALSE(relay::spawn_child({{}, {}}, 0));
}

TEST_CASE("a child that has exited is reaped at once", "[cli]") {
  boost::asio::io_context context;
  const pid_t pid = start("exit 0");
  wait_exited(pid);
  CHECK_FALSE(reaped(pid));  // a zombie until someone waits for it
  relay::reap_when_exited(context.get_executor(), pid);
  CHECK(reaped(pid));
}

TEST_CASE("a running child is reaped when it exits, and no other", "[cli]") {
  boost::asio::io_context context;
  const pid_t other = start("exit 0");  // a child this call was not given
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  const auto pid = relay::spawn_child({{"cat"}, {}}, fds[1]);  // runs until its input ends
  ::close(fds[1]);
  REQUIRE(pid);
  relay::reap_when_exited(context.get_executor(), *pid);
  context.poll();
  CHECK_FALSE(reaped(*pid));
  ::close(fds[0]);  // cat sees end of file and exits
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!reaped(*pid) && std::chrono::steady_clock::now() < deadline) {
    context.run_for(50ms);
    context.restart();
  }
  CHECK(reaped(*pid));
  wait_exited(other);
  CHECK_FALSE(reaped(other));
  CHECK(::waitpid(other, nullptr, 0) == other);
}
