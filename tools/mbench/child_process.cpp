#include "child_process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "interruption.hpp"
#include "core/log.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

std::runtime_error system_error(const std::string& what) {
  return std::runtime_error(what + ": " + std::strerror(errno));
}

int open_or_throw(const char* path, int flags) {
  const int fd = ::open(path, flags | O_CLOEXEC, 0644);
  if (fd < 0) throw system_error(std::string("cannot open ") + path);
  return fd;
}

// In the child, between fork and exec: async-signal-safe calls only.
[[noreturn]] void become(const std::vector<char*>& argv, int in, int out, int err, pid_t parent) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // mbench died before the prctl
  if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) ::_exit(127);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::signal(SIGPIPE, SIG_DFL);
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
  pid_ = ::fork();
  if (pid_ == 0) become(pointers, in_fd, out_fd, err_fd, parent);
  const int fork_errno = errno;
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
  const TemporaryDirectory scratch("mbench-command");
  const auto log = scratch.path() / "stderr";
  ChildProcess child(argv, {-1, -1, log});
  auto done = child.wait_for(timeout);
  std::string line;
  for (const auto& a : argv) line += (line.empty() ? "" : " ") + a;
  if (!done) throw std::runtime_error("'" + line + "' did not finish in time");
  if (!done->success()) throw std::runtime_error("'" + line + "' " + done->describe() + ": " + file_tail(log, 3));
}

unsigned short wait_for_listening_port(const fs::path& log, ChildProcess& child, std::chrono::milliseconds timeout) {
  static const std::string kMarker = "listening on ";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::ifstream in(log);
    for (std::string line; std::getline(in, line);) {
      const auto at = line.find(kMarker);
      const auto colon = line.rfind(':');
      if (at == std::string::npos || colon == std::string::npos || colon < at) continue;
      const int port = std::atoi(line.c_str() + colon + 1);
      if (port > 0 && port < 65536) return static_cast<unsigned short>(port);
    }
    throw_if_interrupted();
    if (auto done = child.wait_for(0ms))
      throw std::runtime_error(child.name() + " " + done->describe() + " before listening: " + file_tail(log));
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error(child.name() + " did not say 'listening on' in time: " + file_tail(log));
    std::this_thread::sleep_for(5ms);
  }
}

std::string file_tail(const fs::path& file, std::size_t lines) {
  std::ifstream in(file);
  std::deque<std::string> last;
  for (std::string line; std::getline(in, line);) {
    last.push_back(line);
    if (last.size() > lines) last.pop_front();
  }
  std::string text;
  for (const auto& line : last) text += (text.empty() ? "" : " | ") + line;
  return text.empty() ? "(nothing on stderr)" : text;
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

fs::path find_project_tool(const std::string& name, const std::optional<std::string>& explicit_path) {
  if (explicit_path) {
    if (::access(explicit_path->c_str(), X_OK) != 0)
      throw std::runtime_error("--" + name + " " + *explicit_path + ": not an executable file");
    return *explicit_path;
  }
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (const auto& candidate : {self / name, self.parent_path() / name / name})
    if (!ec && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  if (auto found = find_in_path(name)) return *found;
  throw std::runtime_error("cannot find " + name + " next to mbench (" + self.string() + ") or in PATH; give --" +
                           name + " PATH");
}

TemporaryDirectory::TemporaryDirectory(const std::string& prefix) {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = (fs::path(base && *base ? base : "/tmp") / (prefix + ".XXXXXX")).string();
  if (!::mkdtemp(pattern.data())) throw system_error("cannot make a temporary directory " + pattern);
  path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

}  // namespace msocket::mbench
