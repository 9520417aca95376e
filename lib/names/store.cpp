#include "names/store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>

#include <boost/json.hpp>

#include "names/name_error.hpp"

namespace msocket::names {
namespace {

namespace json = boost::json;
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

error_code sync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_system_error();
  const int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? error_code{} : last_system_error();
}

// One log line: {"put": record} or {"erase": name}.
std::string put_line(const Record& r) { return json::serialize(json::object{{"put", to_json(r)}}) + "\n"; }
std::string erase_line(const std::string& name) { return json::serialize(json::object{{"erase", name}}) + "\n"; }

// Applies one line; false if it is not a valid entry.
bool apply(std::map<std::string, Record>& records, std::string_view line) {
  error_code ec;
  auto value = json::parse(line, ec);
  if (ec || !value.is_object()) return false;
  const auto& o = value.as_object();
  if (const auto* put = o.if_contains("put")) {
    auto r = from_json(*put);
    if (!r) return false;
    records[r->name] = std::move(*r);
    return true;
  }
  if (const auto* erase = o.if_contains("erase"); erase && erase->is_string()) {
    records.erase(std::string(erase->as_string()));
    return true;
  }
  return false;
}

// Reads a file of lines into `records`. A bad or unterminated last line is a
// torn write and ignored; a bad line before it is damage.
result<std::size_t> replay(const std::filesystem::path& file, std::map<std::string, Record>& records) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::size_t{0};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t lines = 0, pos = 0;
  while (pos < text.size()) {
    const auto end = text.find('\n', pos);
    if (end == std::string::npos) break;  // torn tail
    const std::string_view line(text.data() + pos, end - pos);
    const bool last = end + 1 >= text.size();
    if (!apply(records, line) && !last) return errc::bad_frame;
    ++lines;
    pos = end + 1;
  }
  return lines;
}

}  // namespace

result<std::unique_ptr<LogStore>> LogStore::open(const std::filesystem::path& dir) {
  std::error_code fs_ec;
  std::filesystem::create_directories(dir, fs_ec);
  if (fs_ec) return error_code(fs_ec.value(), boost::system::system_category());
  std::unique_ptr<LogStore> store(new LogStore(dir));
  auto snapshot = replay(dir / "snapshot.jsonl", store->records_);
  if (!snapshot) return snapshot.error();
  auto log = replay(dir / "log.jsonl", store->records_);
  if (!log) return log.error();
  store->log_lines_ = *log;
  // Start from a clean state: what was read becomes the snapshot, so a torn
  // tail is not appended to.
  if (auto ec = store->compact()) return ec;
  return store;
}

LogStore::~LogStore() {
  if (log_fd_ >= 0) ::close(log_fd_);
}

std::optional<Record> LogStore::get(const std::string& name) const {
  auto it = records_.find(name);
  if (it == records_.end()) return std::nullopt;
  return it->second;
}

error_code LogStore::put(const Record& record) {
  if (auto ec = append(put_line(record))) return ec;
  records_[record.name] = record;
  return {};
}

error_code LogStore::erase(const std::string& name) {
  if (auto ec = append(erase_line(name))) return ec;
  records_.erase(name);
  return {};
}

error_code LogStore::append(const std::string& line) {
  if (auto ec = write_all(log_fd_, line)) return ec;
  if (::fdatasync(log_fd_) != 0) return last_system_error();
  // Compact when the log holds much more than the live records.
  if (++log_lines_ > 1024 && log_lines_ > 4 * records_.size()) return compact();
  return {};
}

error_code LogStore::compact() {
  // Write the snapshot aside, sync it, rename it in place, then start an
  // empty log: a crash at any point leaves either the old or the new state.
  const auto tmp = dir_ / "snapshot.jsonl.tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return last_system_error();
  error_code ec;
  for (const auto& [name, record] : records_)
    if ((ec = write_all(fd, put_line(record)))) break;
  if (!ec && ::fsync(fd) != 0) ec = last_system_error();
  ::close(fd);
  if (ec) return ec;
  if (::rename(tmp.c_str(), (dir_ / "snapshot.jsonl").c_str()) != 0) return last_system_error();
  if (auto sec = sync_dir(dir_)) return sec;
  return reopen_log();
}

error_code LogStore::reopen_log() {
  if (log_fd_ >= 0) ::close(log_fd_);
  log_fd_ = ::open((dir_ / "log.jsonl").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd_ < 0) return last_system_error();
  log_lines_ = 0;
  return sync_dir(dir_);
}

}  // namespace msocket::names
