// The files of the embedded store in its data directory (man/mnamed.8,
// STORAGE): log.jsonl, one JSON line per entry written since the last
// compaction, {"put": RECORD} or {"delete": PROOF} (a tombstone); and
// snapshot.jsonl, every name's entry at the last compaction, in the same
// form. Older stores' {"erase": NAME} lines are read as a tombstone made of
// the name's last record. Synchronous file I/O: after open(), one thread at
// a time uses it (the store's group commit thread).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "msocket/error.hpp"
#include "names/store.hpp"

namespace msocket::names {

// The log line of an entry, with its newline.
std::string entry_line(const StoredName& entry);

class LogFile {
 public:
  // Reads the snapshot, then the log, and cuts off a torn last line of the
  // log; writes nothing else (a full disk does not keep it from opening).
  // Errors: the file system's; errc::bad_frame if a line before the last
  // is corrupt.
  static result<std::unique_ptr<LogFile>> open(const std::filesystem::path& dir);
  ~LogFile();
  LogFile(const LogFile&) = delete;
  LogFile& operator=(const LogFile&) = delete;

  // The entries on disk, as read at open and appended since.
  const std::map<std::string, StoredName>& entries() const { return entries_; }

  // Appends the entries' lines and makes them durable with one fdatasync.
  // On an error the log is cut back to its length before the call, so that
  // a refused entry does not come back at the next start, and nothing is
  // applied; if even that fails, every later append is refused too (the
  // log's end is unknown; a restart reads what is there). Compacts the log
  // into a new snapshot when it holds four times more lines than names (and
  // over 1024); a failed compaction is logged, not returned: the entries
  // are durable in the log either way. Errors: the file system's.
  boost::system::error_code append(std::span<const StoredName> entries);

 private:
  explicit LogFile(std::filesystem::path dir) : dir_(std::move(dir)) {}
  boost::system::error_code roll_back(boost::system::error_code why);
  boost::system::error_code compact();

  std::filesystem::path dir_;
  std::map<std::string, StoredName> entries_;
  int log_fd_ = -1;
  off_t log_size_ = 0;         // bytes of the log known durable
  std::size_t log_lines_ = 0;  // lines in the log since the snapshot
  boost::system::error_code broken_;  // set when a failed append could not be undone
};

}  // namespace msocket::names
