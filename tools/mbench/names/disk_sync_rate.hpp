// The baseline of durable updates: how many small appends a second the
// disk under a directory makes durable with fdatasync, the way mnamed's
// log store does for each update (lib/names/store.cpp). An update can be
// no faster than this unless the server batches them.
#pragma once

#include <filesystem>
#include <string>

#include "session/types.hpp"

namespace msocket::mbench {

// Appends lines of `line_bytes` to a new file in `dir` with an fdatasync
// after each, for `time`; returns syncs per second. The file is removed.
// Throws std::runtime_error on a file system error.
double measure_fdatasync_rate(const std::filesystem::path& dir, Duration time, std::size_t line_bytes = 300);

// The file system type under `path`: "ext4", "tmpfs", "overlay", "btrfs", "xfs", or "0x..." for others.
std::string file_system_type(const std::filesystem::path& path);

}  // namespace msocket::mbench
