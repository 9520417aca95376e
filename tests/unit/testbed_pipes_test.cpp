#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "testbed/pipes.hpp"

namespace testbed = msocket::testbed;

TEST_CASE("a pipe is close-on-exec and as large as the system allows", "[testbed]") {
  auto pipe = testbed::make_pipe();
  CHECK(::fcntl(pipe->read.get(), F_GETFD) & FD_CLOEXEC);
  CHECK(::fcntl(pipe->write.get(), F_GETFD) & FD_CLOEXEC);
  CHECK(::fcntl(pipe->read.get(), F_GETPIPE_SZ) >= 64 * 1024);
  CHECK(::write(pipe->write.get(), "abc", 3) == 3);
  char buffer[4] = {};
  CHECK(::read(pipe->read.get(), buffer, sizeof buffer) == 3);
  CHECK(std::string(buffer) == "abc");

  auto small = testbed::make_pipe(0);  // the system's default size
  CHECK(::fcntl(small->read.get(), F_GETPIPE_SZ) > 0);
}

TEST_CASE("a file descriptor is closed once, by its last owner", "[testbed]") {
  int raw = -1;
  {
    auto pipe = testbed::make_pipe();
    raw = pipe->read.get();
    testbed::FileDescriptor moved(std::move(pipe->read));
    CHECK(pipe->read.get() == -1);
    CHECK(moved.get() == raw);
    testbed::FileDescriptor other;
    other = std::move(moved);
    CHECK(other.get() == raw);
    CHECK(::fcntl(raw, F_GETFD) >= 0);
  }
  CHECK(::fcntl(raw, F_GETFD) == -1);
  CHECK(errno == EBADF);
}

TEST_CASE("set_nonblocking makes a read of an empty pipe return at once", "[testbed]") {
  auto pipe = testbed::make_pipe();
  testbed::set_nonblocking(pipe->read.get());
  CHECK(::fcntl(pipe->read.get(), F_GETFL) & O_NONBLOCK);
  char byte = 0;
  CHECK(::read(pipe->read.get(), &byte, 1) == -1);
  CHECK(errno == EAGAIN);
}
