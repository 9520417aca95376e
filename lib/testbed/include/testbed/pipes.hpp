// File descriptors and pipes between a testbed's owner and the programs it
// runs: closed by their destructors, so that an exception never leaves a
// child waiting for an end of file.
#pragma once

#include <cstddef>
#include <memory>
#include <utility>

namespace msocket::testbed {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { close(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  int get() const { return fd_; }
  void close();

 private:
  int fd_;
};

struct Pipe {
  Pipe(int read_end, int write_end) : read(read_end), write(write_end) {}
  FileDescriptor read, write;
};

// The default pipe-max-size: fewer wake-ups than 64 KiB.
inline constexpr std::size_t kPipeBytes = 1 << 20;

// A close-on-exec pipe of `capacity` bytes (when the system allows; 0
// leaves the system's default). Throws std::runtime_error if pipe2 fails.
std::unique_ptr<Pipe> make_pipe(std::size_t capacity = kPipeBytes);

void set_nonblocking(int fd);

}  // namespace msocket::testbed
