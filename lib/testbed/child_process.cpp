#include "testbed/child_process.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "core/log.hpp"
#include "testbed/files.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace msocket::testbed {

namespace {

std::runtime_error system_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

int open_or_throw(const char* path, int flags) {
  const int fd = ::open(path, flags | O_CLOEXEC, 0644);
  if (fd < 0) throw system_error(std::string("cannot open ") + path);
  return fd;
}

// In the child, between fork and exec: async-signal-safe calls only. It
// starts with every signal blocked (see ChildProcess), so that a SIGTERM
// sent at once does not run the parent's handler in the child (which would
// record it and go on): the handlers are reset before the signals arrive.
[[noreturn]] void become(const std::vector<char*>& argv, int in, int out, int err, pid_t parent) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the parent died before the prctl
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
  for (const int signal_number : {SIGINT, SIGTERM, SIGPIPE}) ::signal(signal_number, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

}  // namespace

bool ChildExit::success() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }

std::string ChildExit::describe() const {
  if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + ::strsignal(WTERMSIG(status));
  return "ended with wait status " + std::to_string(status);
}

double ChildExit::cpu_seconds() const {
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

ChildProcess::ChildProcess(std::vector<std::string> argv, const ChildStreams& streams) {
  if (argv.empty()) throw std::logic_error("ChildProcess: empty argv");
  name_ = fs::path(argv[0]).filename().string();
  if (argv[0].find('/') == std::string::npos) {
    const auto found = find_in_path(argv[0]);
    if (!found) throw std::runtime_error(argv[0] + " is not installed (not found in PATH)");
    argv[0] = found->string();
  }
  std::vector<char*> pointers;
  for (auto& a : argv) pointers.push_back(a.data());
  pointers.push_back(nullptr);

  const int null_fd = open_or_throw("/dev/null", O_RDWR);
  const int err_fd = streams.stderr_file.empty()
                         ? null_fd
                         : open_or_throw(streams.stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC);
  const int in_fd = streams.stdin_fd >= 0 ? streams.stdin_fd : null_fd;
  const int out_fd = streams.stdout_fd >= 0 ? streams.stdout_fd : null_fd;
  const pid_t parent = ::getpid();
  sigset_t all, previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  pid_ = ::fork();
  if (pid_ == 0) become(pointers, in_fd, out_fd, err_fd, parent);
  const int fork_errno = errno;
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (err_fd != null_fd) ::close(err_fd);
  ::close(null_fd);
  if (pid_ < 0) {
    errno = fork_errno;
    throw system_error("cannot start " + name_);
  }
  log::tool()->debug("started {} pid={}: {}", name_, pid_, argv[0]);
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_) stop();
}

std::optional<ChildExit> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  if (exit_) return exit_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    ChildExit result;
    const pid_t done = ::wait4(pid_, &result.status, WNOHANG, &result.usage);
    if (done == pid_) {
      exit_ = result;
      log::tool()->debug("{} pid={} {}; cpu={:.3f}s maxrss={}KiB", name_, pid_, result.describe(),
                         result.cpu_seconds(), result.peak_rss_kib());
      return exit_;
    }
    if (done < 0 && errno != EINTR) throw system_error("wait4 for " + name_);
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(1ms);
  }
}

ChildExit ChildProcess::stop(std::chrono::milliseconds grace) {
  if (auto done = wait_for(0ms)) return *done;
  ::kill(pid_, SIGTERM);
  if (auto done = wait_for(grace)) return *done;
  log::tool()->warn("{} pid={} did not end on SIGTERM; sending SIGKILL", name_, pid_);
  ::kill(pid_, SIGKILL);
  for (;;) {
    if (auto done = wait_for(1s)) return *done;
  }
}

void run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  const TemporaryDirectory scratch("testbed-command");
  const auto log = scratch.path() / "stderr";
  ChildProcess child(argv, {-1, -1, log});
  auto done = child.wait_for(timeout);
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  if (!done) throw std::runtime_error("'" + line + "' did not finish in time");
  if (!done->success()) throw std::runtime_error("'" + line + "' " + done->describe() + ": " + file_tail(log, 3));
}

std::optional<fs::path> find_in_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string directories = path ? path : "/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= directories.size()) {
    auto end = directories.find(':', start);
    if (end == std::string::npos) end = directories.size();
    const fs::path candidate = fs::path(directories.substr(start, end - start)) / name;
    if (!candidate.parent_path().empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace msocket::testbed
