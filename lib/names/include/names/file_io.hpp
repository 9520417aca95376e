// The few file operations the name service's files share (the store's log
// and snapshot, key files, known names): whole writes, syncs, and replacing
// a file so that a crash leaves either the old or the new one. Plain POSIX
// calls, errors as error codes (the system's).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "msocket/error.hpp"

namespace msocket::names {

// Writes all of `text` to `fd`, again after EINTR and short writes.
boost::system::error_code write_all(int fd, std::string_view text);

// fsync of a directory, so that a rename or a new file in it is durable.
boost::system::error_code sync_directory(const std::filesystem::path& dir);

// Replaces (or creates) `path` with `text`: written to `path`.tmp with
// `mode`, synced, renamed over `path`, the directory synced. On failure the
// temporary file is removed and `path` is as it was.
boost::system::error_code replace_file(const std::filesystem::path& path, std::string_view text, unsigned mode);

// The whole file, at most `limit` bytes (errc::bad_frame if longer); an
// error ENOENT if it does not exist.
result<std::string> read_file(const std::filesystem::path& path, std::size_t limit);

}  // namespace msocket::names
