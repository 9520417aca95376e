#include "namespaces.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "child_process.hpp"
#include "core/log.hpp"
#include "report.hpp"

namespace msocket::mbench {

std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
  return argv;
}

std::vector<std::string> in_namespace(const std::optional<std::string>& ns, std::vector<std::string> argv) {
  return ns ? in_namespace(*ns, std::move(argv)) : argv;
}

void OwnedNamespaces::add(const std::string& name) {
  run_command({"ip", "netns", "add", name});
  names_.push_back(name);
  run_command({"ip", "-n", name, "link", "set", "lo", "up"});
}

void OwnedNamespaces::remove() {
  for (const auto& ns : names_) {
    try {
      run_command({"ip", "netns", "del", ns});
    } catch (const std::exception& e) {
      log::tool()->warn("could not remove namespace {}: {}", ns, e.what());
    }
  }
  names_.clear();
}

void run_ip_batch(const std::string& ns, const std::vector<std::string>& commands,
                  const std::filesystem::path& batch_file) {
  std::string text;
  for (const auto& c : commands) text += c + "\n";
  write_file(batch_file, text);
  run_command({"ip", "-n", ns, "-batch", batch_file.string()});
}

int open_in_namespace(const std::string& ns, const char* file) {
  const int home = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const int there = ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC);
  int fd = -1;
  if (home >= 0 && there >= 0 && ::setns(there, CLONE_NEWNET) == 0) {
    fd = ::open(file, O_RDONLY | O_CLOEXEC);
    if (::setns(home, CLONE_NEWNET) != 0) throw std::runtime_error("cannot return to mbench's network namespace");
  }
  const int error = errno;
  if (home >= 0) ::close(home);
  if (there >= 0) ::close(there);
  if (fd < 0) throw std::runtime_error("cannot open " + std::string(file) + " in " + ns + ": " + std::strerror(error));
  return fd;
}

}  // namespace msocket::mbench
