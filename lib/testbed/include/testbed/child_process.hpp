// The programs a testbed runs (ip, tc, sysctl, the link emulator, and the
// programs under test): started with chosen standard streams, in a process
// group of their own (so Ctrl-C reaches the testbed's owner alone, which
// then stops them in order) and sent SIGKILL by the kernel if the owner
// dies first; reaped with wait4 for their CPU time and peak memory. Errors
// throw std::runtime_error (files.hpp says why).
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace msocket::testbed {

// A child's standard streams; -1 or an empty path means /dev/null.
struct ChildStreams {
  int stdin_fd = -1;
  int stdout_fd = -1;
  std::filesystem::path stderr_file;  // created or truncated
};

struct ChildExit {
  int status = 0;  // as wait4 reports it
  rusage usage{};  // the child's own (and its reaped children's)
  bool success() const;
  std::string describe() const;  // "exited with status 1", "killed by signal 9"
  double cpu_seconds() const;    // user + system
  long peak_rss_kib() const { return usage.ru_maxrss; }
};

class ChildProcess {
 public:
  // Forks and executes argv[0] (a path, or a name looked up in PATH).
  // Throws if the name is not in PATH or fork fails; a program that cannot
  // be executed exits 127.
  ChildProcess(std::vector<std::string> argv, const ChildStreams& streams);
  // A child still running is stopped (see stop()).
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& name() const { return name_; }
  // Its exit, waiting up to `timeout` for it; nullopt while it runs.
  std::optional<ChildExit> wait_for(std::chrono::milliseconds timeout);
  // SIGTERM, then SIGKILL after `grace`; returns how it ended.
  ChildExit stop(std::chrono::milliseconds grace = std::chrono::seconds(2));

 private:
  pid_t pid_ = -1;
  std::string name_;
  std::optional<ChildExit> exit_;
};

// Runs a command to its end (at most `timeout`); throws with the last lines
// of its stderr if it fails.
void run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout = std::chrono::seconds(20));

// `name` in PATH, if executable there.
std::optional<std::filesystem::path> find_in_path(const std::string& name);

}  // namespace msocket::testbed
