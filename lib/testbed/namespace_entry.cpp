#include "testbed/namespace_entry.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <thread>

namespace msocket::testbed {

namespace {

// The handle of a named namespace, or -1 (errno set).
int namespace_handle(const std::string& ns) { return ::open(("/run/netns/" + ns).c_str(), O_RDONLY | O_CLOEXEC); }

}  // namespace

void enter_namespace(const std::string& ns) {
  const int fd = namespace_handle(ns);
  if (fd < 0) throw std::runtime_error("cannot open /run/netns/" + ns + ": " + std::strerror(errno));
  const int entered = ::setns(fd, CLONE_NEWNET);
  const int setns_errno = errno;
  ::close(fd);
  if (entered != 0) throw std::runtime_error("cannot enter namespace " + ns + ": " + std::strerror(setns_errno));
}

void run_in_namespace(const std::string& ns, const std::function<void()>& work) {
  std::exception_ptr failure;
  std::thread worker([&] {
    try {
      enter_namespace(ns);
      work();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  worker.join();
  if (failure) std::rethrow_exception(failure);
}

int open_in_namespace(const std::string& ns, const char* file) {
  const int home = ::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  const int there = namespace_handle(ns);
  int fd = -1;
  if (home >= 0 && there >= 0 && ::setns(there, CLONE_NEWNET) == 0) {
    fd = ::open(file, O_RDONLY | O_CLOEXEC);
    if (::setns(home, CLONE_NEWNET) != 0) throw std::runtime_error("cannot return to the original network namespace");
  }
  const int error = errno;
  if (home >= 0) ::close(home);
  if (there >= 0) ::close(there);
  if (fd < 0) throw std::runtime_error("cannot open " + std::string(file) + " in " + ns + ": " + std::strerror(error));
  return fd;
}

}  // namespace msocket::testbed
