#include "names/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "names/name_error.hpp"

namespace msocket::names {

using error_code = boost::system::error_code;

error_code write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const auto n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return last_system_error();
    text.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

error_code sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_system_error();
  const int rc = ::fsync(fd);
  const auto ec = rc == 0 ? error_code{} : last_system_error();
  ::close(fd);
  return ec;
}

error_code replace_file(const std::filesystem::path& path, std::string_view text, unsigned mode) {
  auto temporary = path;
  temporary += ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return last_system_error();
  auto ec = write_all(fd, text);
  if (!ec && ::fsync(fd) != 0) ec = last_system_error();
  if (::close(fd) != 0 && !ec) ec = last_system_error();
  if (!ec && ::rename(temporary.c_str(), path.c_str()) != 0) ec = last_system_error();
  if (ec) {
    ::unlink(temporary.c_str());
    return ec;
  }
  return sync_directory(path.parent_path());
}

result<std::string> read_file(const std::filesystem::path& path, std::size_t limit) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return last_system_error();
  std::string text;
  char chunk[16 * 1024];
  error_code ec;
  for (;;) {
    const auto n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ec = last_system_error();
    if (n <= 0) break;
    text.append(chunk, static_cast<std::size_t>(n));
    if (text.size() > limit) {
      ec = errc::bad_frame;
      break;
    }
  }
  ::close(fd);
  if (ec) return ec;
  return text;
}

}  // namespace msocket::names
