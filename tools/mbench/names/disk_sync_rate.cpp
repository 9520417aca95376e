#include "names/disk_sync_rate.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "testbed/interruption.hpp"

namespace msocket::mbench {

double measure_fdatasync_rate(const std::filesystem::path& dir, Duration time, std::size_t line_bytes) {
  const auto file = dir / "mbench-fdatasync.log";
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error("cannot create " + file.string() + ": " + std::strerror(errno));
  std::string line(line_bytes - 1, 'x');
  line += '\n';
  std::uint64_t syncs = 0;
  const auto start = std::chrono::steady_clock::now();
  std::string failure;
  while (std::chrono::steady_clock::now() - start < time && !testbed::interrupted()) {
    if (::write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size()) || ::fdatasync(fd) != 0) {
      failure = std::strerror(errno);
      break;
    }
    ++syncs;
  }
  const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::close(fd);
  std::error_code ignored;
  std::filesystem::remove(file, ignored);
  if (!failure.empty()) throw std::runtime_error("append and fdatasync in " + dir.string() + ": " + failure);
  testbed::throw_if_interrupted();
  return static_cast<double>(syncs) / elapsed;
}

std::string file_system_type(const std::filesystem::path& path) {
  struct statfs info {};
  if (::statfs(path.c_str(), &info) != 0) return "unknown";
  switch (static_cast<unsigned long>(info.f_type)) {
    case EXT4_SUPER_MAGIC: return "ext4";  // also ext2 and ext3: they share the number
    case TMPFS_MAGIC: return "tmpfs";
    case OVERLAYFS_SUPER_MAGIC: return "overlay";
    case BTRFS_SUPER_MAGIC: return "btrfs";
    case XFS_SUPER_MAGIC: return "xfs";
    default: break;
  }
  char text[32];
  std::snprintf(text, sizeof text, "0x%lx", static_cast<unsigned long>(info.f_type));
  return text;
}

}  // namespace msocket::mbench
