#include "names/log_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <limits>

#include <boost/json.hpp>

#include "core/log.hpp"
#include "names/file_io.hpp"
#include "names/name_error.hpp"

namespace msocket::names {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using error_code = boost::system::error_code;
using Entries = std::map<std::string, StoredName>;

constexpr const char* kLog = "log.jsonl";
constexpr const char* kSnapshot = "snapshot.jsonl";

// How much of a file was read as whole, valid lines.
struct Replayed {
  std::size_t lines = 0;
  std::size_t good_bytes = 0;  // up to the end of the last good line
  std::size_t file_bytes = 0;
};

// Applies one line; false if it is not a valid entry.
bool apply(Entries& entries, std::string_view line) {
  error_code ec;
  const auto value = json::parse(line, ec);
  if (ec || !value.is_object()) return false;
  const auto& o = value.as_object();
  for (const bool deleted : {false, true}) {
    if (const auto* field = o.if_contains(deleted ? "delete" : "put")) {
      auto record = from_json(*field);
      if (!record) return false;
      auto name = record->name;
      entries[name] = StoredName{std::move(*record), deleted};
      return true;
    }
  }
  // Before tombstones, a delete wrote {"erase": NAME}: the last record,
  // signed by the owner, stands in for the proof that was not kept.
  if (const auto* erase = o.if_contains("erase"); erase && erase->is_string()) {
    const auto found = entries.find(std::string(erase->as_string()));
    if (found != entries.end()) found->second.deleted = true;
    return true;
  }
  return false;
}

// Reads a file of lines into `entries`. A bad or unterminated last line is
// a torn write and not counted as good; a bad line before it is damage.
result<Replayed> replay(const fs::path& file, Entries& entries) {
  auto text = read_file(file, std::numeric_limits<std::size_t>::max());
  if (!text && text.error() == boost::system::errc::no_such_file_or_directory) return Replayed{};
  if (!text) return text.error();
  Replayed replayed{0, 0, text->size()};
  std::size_t position = 0;
  while (position < text->size()) {
    const auto end = text->find('\n', position);
    if (end == std::string::npos) break;  // torn tail
    const std::string_view line(text->data() + position, end - position);
    if (!apply(entries, line)) {
      if (end + 1 < text->size()) return errc::bad_frame;
      break;  // a torn last line that happens to end in a newline
    }
    ++replayed.lines;
    replayed.good_bytes = position = end + 1;
  }
  return replayed;
}

}  // namespace

std::string entry_line(const StoredName& entry) {
  return json::serialize(json::object{{entry.deleted ? "delete" : "put", to_json(entry.record)}}) + "\n";
}

result<std::unique_ptr<LogFile>> LogFile::open(const fs::path& dir) {
  std::error_code fs_ec;
  fs::create_directories(dir, fs_ec);
  if (fs_ec) return error_code(fs_ec.value(), boost::system::system_category());
  ::unlink((dir / (std::string(kSnapshot) + ".tmp")).c_str());  // from a compaction cut short, if any
  std::unique_ptr<LogFile> file(new LogFile(dir));
  auto snapshot = replay(dir / kSnapshot, file->entries_);
  if (!snapshot) return snapshot.error();
  auto log = replay(dir / kLog, file->entries_);
  if (!log) return log.error();
  file->log_fd_ = ::open((dir / kLog).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (file->log_fd_ < 0) return last_system_error();
  // Cut a torn tail off, so that what is appended next starts a line.
  if (log->file_bytes > log->good_bytes &&
      (::ftruncate(file->log_fd_, static_cast<off_t>(log->good_bytes)) != 0 || ::fdatasync(file->log_fd_) != 0))
    return last_system_error();
  file->log_size_ = static_cast<off_t>(log->good_bytes);
  file->log_lines_ = log->lines;
  if (auto ec = sync_directory(dir)) return ec;
  return file;
}

LogFile::~LogFile() {
  if (log_fd_ >= 0) ::close(log_fd_);
}

error_code LogFile::append(std::span<const StoredName> entries) {
  if (broken_) return broken_;
  std::string text;
  for (const auto& entry : entries) text += entry_line(entry);
  auto ec = write_all(log_fd_, text);
  if (!ec && ::fdatasync(log_fd_) != 0) ec = last_system_error();
  if (ec) return roll_back(ec);
  log_size_ += static_cast<off_t>(text.size());
  log_lines_ += entries.size();
  for (const auto& entry : entries) entries_[entry.record.name] = entry;
  if (log_lines_ > 1024 && log_lines_ > 4 * entries_.size()) {
    if (auto compact_error = compact())
      log::names()->warn("compacting the log in {}: {}; the log goes on", dir_.string(), compact_error.message());
  }
  return {};
}

error_code LogFile::roll_back(error_code why) {
  if (::ftruncate(log_fd_, log_size_) == 0 && ::fdatasync(log_fd_) == 0) return why;
  broken_ = why;
  log::names()->error("the log in {} could not be cut back after '{}' ({}): refusing every update until a restart",
                      dir_.string(), why.message(), last_system_error().message());
  return why;
}

error_code LogFile::compact() {
  // The new snapshot replaces the old whole before the log is emptied: a
  // crash at any point leaves either the old or the new state.
  std::string text;
  for (const auto& [name, entry] : entries_) text += entry_line(entry);
  if (auto ec = replace_file(dir_ / kSnapshot, text, 0600)) return ec;
  if (::ftruncate(log_fd_, 0) != 0) return last_system_error();
  log_size_ = 0;
  log_lines_ = 0;
  return ::fdatasync(log_fd_) == 0 ? error_code{} : last_system_error();
}

}  // namespace msocket::names
