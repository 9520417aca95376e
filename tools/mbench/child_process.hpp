// The programs a benchmark runs (mnamed, mcat, socat, ip, gnuplot): started
// with chosen standard streams, in a process group of their own (so Ctrl-C
// reaches mbench alone, which then stops them in order) and sent SIGKILL by
// the kernel if mbench dies first; reaped with wait4 for their CPU time and
// peak memory. Errors throw std::runtime_error: this is tool code.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace msocket::mbench {

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
  // Throws if fork fails; a program that cannot be executed exits 127.
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

// Waits until `log` (a child's stderr) has a line "... listening on ADDR:PORT"
// and returns PORT. Throws, with the log's tail, if `child` exits first or
// `timeout` passes.
unsigned short wait_for_listening_port(const std::filesystem::path& log, ChildProcess& child,
                                       std::chrono::milliseconds timeout = std::chrono::seconds(5));

// The last `lines` lines of a file, for error messages ("" if unreadable).
std::string file_tail(const std::filesystem::path& file, std::size_t lines = 5);

// A program of this project: `explicit_path` if given, else `name` in
// mbench's own directory, else in the build tree's sibling directory
// (tools/mbench/mbench next to tools/NAME/NAME), else in PATH. Throws if
// none is executable.
std::filesystem::path find_project_tool(const std::string& name, const std::optional<std::string>& explicit_path);
// `name` in PATH, if executable there.
std::optional<std::filesystem::path> find_in_path(const std::string& name);

// A new directory under $TMPDIR (or /tmp), removed with its contents by the
// destructor.
class TemporaryDirectory {
 public:
  explicit TemporaryDirectory(const std::string& prefix);
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace msocket::mbench
