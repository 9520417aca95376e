// Where mnamed keeps its records. Behind an interface so a distributed
// backend (etcd) can take the embedded log's place.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "names/record.hpp"

namespace msocket::names {

class Store {
 public:
  virtual ~Store() = default;
  virtual std::optional<Record> get(const std::string& name) const = 0;
  // Durable before it returns: a crash right after loses nothing it accepted.
  // Errors: the file system's.
  virtual boost::system::error_code put(const Record& record) = 0;
  virtual boost::system::error_code erase(const std::string& name) = 0;
  virtual std::size_t size() const = 0;
};

// The embedded store: an append-only log of JSON lines in `dir`, fsynced per
// update, compacted into a snapshot when the log grows past the live data.
// A torn last line (a crash in the middle of a write) is dropped at open.
class LogStore final : public Store {
 public:
  // Errors: the file system's; errc::bad_frame if a line before the last is
  // corrupt (the data directory was damaged, not just cut short).
  static result<std::unique_ptr<LogStore>> open(const std::filesystem::path& dir);
  ~LogStore() override;

  std::optional<Record> get(const std::string& name) const override;
  boost::system::error_code put(const Record& record) override;
  boost::system::error_code erase(const std::string& name) override;
  std::size_t size() const override { return records_.size(); }

 private:
  explicit LogStore(std::filesystem::path dir) : dir_(std::move(dir)) {}
  boost::system::error_code append(const std::string& line);
  boost::system::error_code compact();
  boost::system::error_code reopen_log();

  std::filesystem::path dir_;
  std::map<std::string, Record> records_;
  int log_fd_ = -1;
  std::size_t log_lines_ = 0;
};

}  // namespace msocket::names
