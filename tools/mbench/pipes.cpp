#include "pipes.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace msocket::mbench {

void FileDescriptor::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::unique_ptr<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  auto pipe = std::make_unique<Pipe>(fds[0], fds[1]);
  ::fcntl(fds[0], F_SETPIPE_SZ, static_cast<int>(kPipeBytes));  // a smaller pipe only costs wake-ups
  return pipe;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

void fail_with_log(const std::string& what, const ChildProcess& end, const std::filesystem::path& log) {
  throw std::runtime_error(what + " (" + end.name() + " said: " + file_tail(log) + ")");
}

ChildExit wait_for_clean_exit(ChildProcess& end, const std::string& role, const std::filesystem::path& log) {
  auto exit = end.wait_for(std::chrono::seconds(10));
  if (!exit) fail_with_log("the " + role + " did not exit within 10 s of the end of the data", end, log);
  if (!exit->success()) fail_with_log("the " + role + " " + exit->describe(), end, log);
  return *exit;
}

}  // namespace msocket::mbench
