// The embedded store: an append-only log of JSON lines in `dir`, compacted
// into a snapshot when it grows past the live data (log_file.hpp). Writes
// are made durable by a thread of their own (group_commit.hpp): updates that
// arrive while one fdatasync runs share the next one, and the thread that
// serves lookups never waits for the disk.
#pragma once

#include <filesystem>
#include <map>
#include <memory>

#include "names/store.hpp"

namespace msocket::names {

class LogFile;
class GroupCommitter;

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

  // Store: each answers at once, from memory, but write_if.
  boost::asio::awaitable<result<std::optional<StoredName>>> find(std::string name) override;
  boost::asio::awaitable<result<NewestEntry>> find_newest(std::string name) override;
  boost::asio::awaitable<result<std::vector<StoredName>>> find_prefix(std::string prefix, std::size_t limit) override;
  boost::asio::awaitable<boost::system::error_code> write_if(StoredName entry, Revision expected) override;
  void on_change(std::function<void(const std::string& name)> changed) override { changed_ = std::move(changed); }

  // The same, without suspending (for tests and tools on one machine).
  std::optional<StoredName> get(const std::string& name) const;
  std::optional<StoredName> latest(const std::string& name) const;
  std::vector<StoredName> list(std::string_view prefix, std::size_t limit) const;
  // Writes an entry whatever is stored. Suspends until it is durable;
  // get() returns it from then on. On an error nothing changed. Call from
  // one thread (or strand) at a time, the one of get() and latest().
  // Errors: the file system's (e.g. no space left on device).
  boost::asio::awaitable<boost::system::error_code> write(StoredName entry);
  // Names stored, tombstones included.
  std::size_t size() const { return durable_.size(); }

  // Writes made durable, and the fdatasyncs that made them so (for tests
  // and the benchmark: writes / syncs is the average group size).
  std::uint64_t writes_committed() const;
  std::uint64_t syncs() const;

 private:
  LogStore() = default;
  void finished(const StoredName& entry, bool durable);
  Revision revision_of(const std::string& name) const;

  std::map<std::string, StoredName> durable_;
  // The newest entry of each name with writes in flight, and how many.
  std::map<std::string, std::pair<StoredName, unsigned>> pending_;
  // The revision of each name written since open (a name read from disk
  // and not written since is at revision 1), and the last one given.
  std::map<std::string, std::uint64_t> revisions_;
  std::uint64_t last_revision_ = 1;
  std::function<void(const std::string&)> changed_;
  std::shared_ptr<LogFile> file_;
  std::unique_ptr<GroupCommitter> committer_;
};

}  // namespace msocket::names
