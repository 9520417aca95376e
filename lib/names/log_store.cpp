#include "names/log_store.hpp"

#include "names/group_commit.hpp"
#include "names/log_file.hpp"
#include "names/name_error.hpp"

namespace msocket::names {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

result<std::unique_ptr<LogStore>> LogStore::open(const std::filesystem::path& dir) {
  auto file = LogFile::open(dir);
  if (!file) return file.error();
  std::unique_ptr<LogStore> store(new LogStore());
  store->durable_ = (*file)->entries();
  store->file_ = std::shared_ptr<LogFile>(std::move(*file));
  // The file is the committer thread's alone from here on.
  store->committer_ = std::make_unique<GroupCommitter>(
      [file = store->file_](std::span<const StoredName> group) { return file->append(group); });
  return store;
}

LogStore::~LogStore() = default;  // the committer first (it finishes the queue), then the file

std::optional<StoredName> LogStore::get(const std::string& name) const {
  const auto found = durable_.find(name);
  if (found == durable_.end()) return std::nullopt;
  return found->second;
}

std::vector<StoredName> LogStore::list(std::string_view prefix, std::size_t limit) const {
  // The names that begin with `prefix` sort together, from the first one
  // not below it.
  std::vector<StoredName> found;
  for (auto it = durable_.lower_bound(std::string(prefix)); it != durable_.end() && found.size() < limit; ++it) {
    if (!it->first.starts_with(prefix)) break;
    found.push_back(it->second);
  }
  return found;
}

std::optional<StoredName> LogStore::latest(const std::string& name) const {
  if (const auto pending = pending_.find(name); pending != pending_.end()) return pending->second.first;
  return get(name);
}

Revision LogStore::revision_of(const std::string& name) const {
  if (const auto written = revisions_.find(name); written != revisions_.end()) return {written->second};
  return {durable_.contains(name) ? 1u : 0u};
}

asio::awaitable<result<std::optional<StoredName>>> LogStore::find(std::string name) { co_return get(name); }

asio::awaitable<result<NewestEntry>> LogStore::find_newest(std::string name) {
  co_return NewestEntry{latest(name), revision_of(name)};
}

asio::awaitable<result<std::vector<StoredName>>> LogStore::find_prefix(std::string prefix, std::size_t limit) {
  co_return list(prefix, limit);
}

asio::awaitable<error_code> LogStore::write_if(StoredName entry, Revision expected) {
  // One thread, and nothing suspends between this comparison and write()
  // taking the name's next revision: no other write can come between.
  if (revision_of(entry.record.name) != expected) co_return name_error::store_conflict;
  auto writing = write(std::move(entry));
  co_return co_await std::move(writing);
}

asio::awaitable<error_code> LogStore::write(StoredName entry) {
  revisions_[entry.record.name] = ++last_revision_;
  auto& [newest, in_flight] = pending_[entry.record.name];
  newest = entry;
  ++in_flight;
  // A copy goes to the committer: `entry` is what finished() files away.
  // (The awaitable is made in a statement of its own: g++ 12 may destroy
  // the temporaries of a co_await expression twice.)
  auto committing = committer_->commit(entry);
  const auto ec = co_await std::move(committing);
  finished(entry, !ec);
  co_return ec;
}

void LogStore::finished(const StoredName& entry, bool durable) {
  // Groups are persisted, and their callers woken, in the order written:
  // the last durable entry of a name is its newest.
  if (durable) durable_[entry.record.name] = entry;
  const auto pending = pending_.find(entry.record.name);
  if (pending != pending_.end() && --pending->second.second == 0) pending_.erase(pending);
  if (durable && changed_) changed_(entry.record.name);
}

std::uint64_t LogStore::writes_committed() const { return committer_->writes(); }
std::uint64_t LogStore::syncs() const { return committer_->groups(); }

}  // namespace msocket::names
