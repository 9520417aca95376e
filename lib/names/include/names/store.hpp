// Where mnamed keeps its records. Behind an interface so a distributed
// backend (etcd) can take the embedded log's place.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "names/record.hpp"

namespace msocket::names {

// What is stored under a name: its record (live or expired), or, once the
// name is deleted, a tombstone. The tombstone is the owner's signed delete
// proof (a record of the name with the owner's key and a version above the
// last record's): it keeps the name's owner and version, so a record from
// before the delete cannot be stored again (stale_version) and the name
// stays its owner's (wrong_owner for another key), and anyone can check it.
struct StoredName {
  Record record;  // with `deleted`, the delete proof
  bool deleted = false;
  bool operator==(const StoredName&) const = default;
};

class Store {
 public:
  virtual ~Store() = default;
  // What is durably stored: what lookups and watches see.
  virtual std::optional<StoredName> get(const std::string& name) const = 0;
  // The newest entry, durable or still being written: what the rules
  // compare the next update with, so that two updates in flight at once are
  // ordered as if one had finished first.
  virtual std::optional<StoredName> latest(const std::string& name) const = 0;
  // The durable entries whose names begin with `prefix` (tombstones and
  // expired records included, as get() gives them), in name order, at most
  // `limit`. An empty prefix matches every name.
  virtual std::vector<StoredName> list(std::string_view prefix, std::size_t limit) const = 0;
  // Writes an entry. Suspends until it is durable: a crash after that loses
  // nothing; get() returns it from then on. On an error nothing changed.
  // Call from one thread (or strand) at a time, the one of get() and latest().
  // Errors: the file system's (e.g. no space left on device).
  virtual boost::asio::awaitable<boost::system::error_code> write(StoredName entry) = 0;
  // Names stored, tombstones included.
  virtual std::size_t size() const = 0;
};

class LogFile;
class GroupCommitter;

// The embedded store: an append-only log of JSON lines in `dir`, compacted
// into a snapshot when it grows past the live data (log_file.hpp). Writes
// are made durable by a thread of their own (group_commit.hpp): updates that
// arrive while one fdatasync runs share the next one, and the thread that
// serves lookups never waits for the disk.
class LogStore final : public Store {
 public:
  // Reads the snapshot and the log; a torn last line (a crash in the middle
  // of a write) is cut off. Writes nothing else, so a full disk does not
  // keep a store from opening. Errors: the file system's; errc::bad_frame
  // if a line before the last is corrupt (the data directory was damaged,
  // not just cut short).
  static result<std::unique_ptr<LogStore>> open(const std::filesystem::path& dir);
  // Finishes the writes queued, then stops the writing thread. Destroy the
  // store before the io_context its writers ran on: the writing thread wakes
  // them through it.
  ~LogStore() override;

  std::optional<StoredName> get(const std::string& name) const override;
  std::optional<StoredName> latest(const std::string& name) const override;
  std::vector<StoredName> list(std::string_view prefix, std::size_t limit) const override;
  boost::asio::awaitable<boost::system::error_code> write(StoredName entry) override;
  std::size_t size() const override { return durable_.size(); }

  // Writes made durable, and the fdatasyncs that made them so (for tests
  // and the benchmark: writes / syncs is the average group size).
  std::uint64_t writes_committed() const;
  std::uint64_t syncs() const;

 private:
  LogStore() = default;
  void finished(const StoredName& entry, bool durable);

  std::map<std::string, StoredName> durable_;
  // The newest entry of each name with writes in flight, and how many.
  std::map<std::string, std::pair<StoredName, unsigned>> pending_;
  std::shared_ptr<LogFile> file_;
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace msocket::names
