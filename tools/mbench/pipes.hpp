// File descriptors and pipes between mbench and the programs it measures
// (transfer.cpp, pattern_download.cpp): closed by their destructors, so that
// an exception never leaves a child waiting for an end of file; and how the
// end of those programs is checked once the data is through.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "child_process.hpp"

namespace msocket::mbench {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { close(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
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

// A close-on-exec pipe of kPipeBytes (when the system allows); throws
// std::runtime_error if pipe2 fails.
std::unique_ptr<Pipe> make_pipe();

void set_nonblocking(int fd);

// Throws std::runtime_error: `what`, then what `end` said last in `log`.
[[noreturn]] void fail_with_log(const std::string& what, const ChildProcess& end, const std::filesystem::path& log);
// Waits up to 10 s for `end` (the `role` of a transfer) to exit once the
// data is through; throws (fail_with_log) if it does not, or not with 0.
ChildExit wait_for_clean_exit(ChildProcess& end, const std::string& role, const std::filesystem::path& log);

}  // namespace msocket::mbench
