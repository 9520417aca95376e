#include "names/store.hpp"

#include "names/group_commit.hpp"
#include "names/log_file.hpp"

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

asio::awaitable<error_code> LogStore::write(StoredName entry) {
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
}

std::uint64_t LogStore::writes_committed() const { return committer_->writes(); }
std::uint64_t LogStore::syncs() const { return committer_->groups(); }

}  // namespace msocket::names
