// The files a testbed keeps while it runs: a scratch directory that is
// removed with its contents, whole files written at once, and the last
// lines of a program's log for error messages. Errors throw
// std::runtime_error: testbed code runs in tools and tests, whose failure
// is the report.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace msocket::testbed {

// A new directory under $TMPDIR (or /tmp), named PREFIX.XXXXXX, removed
// with its contents by the destructor. Throws if it cannot be made.
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

// Writes `text` to `file` (replacing it); throws with the file's name.
void write_file(const std::filesystem::path& file, const std::string& text);

// The last `lines` lines of a file joined by " | ", for error messages;
// "(nothing on stderr)" if it is empty or unreadable.
std::string file_tail(const std::filesystem::path& file, std::size_t lines = 5);

}  // namespace msocket::testbed
