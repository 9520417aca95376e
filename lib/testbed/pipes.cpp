#include "testbed/pipes.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace msocket::testbed {

void FileDescriptor::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

std::unique_ptr<Pipe> make_pipe(std::size_t capacity) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  auto pipe = std::make_unique<Pipe>(fds[0], fds[1]);
  // A smaller pipe than asked only costs wake-ups.
  if (capacity > 0) ::fcntl(fds[0], F_SETPIPE_SZ, static_cast<int>(capacity));
  return pipe;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace msocket::testbed
