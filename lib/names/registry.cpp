#include "names/registry.hpp"

#include <limits>

namespace msocket::names {

namespace asio = boost::asio;

namespace {

bool live(const StoredName& stored, std::int64_t now) { return !stored.deleted && stored.record.expires > now; }

}  // namespace

const char* describe(Verdict verdict) {
  switch (verdict) {
    case Verdict::accepted: return "accepted";
    case Verdict::bad_signature: return "signature does not verify";
    case Verdict::wrong_owner: return "name is owned by another key";
    case Verdict::stale_version: return "version is not newer than the stored one";
    case Verdict::expired: return "record has expired";
    case Verdict::unknown_name: return "no such name";
    case Verdict::storage_failed: return "could not store the record";
  }
  return "unknown verdict";
}

Verdict Registry::check(const Record& update, Change change, std::int64_t now) const {
  if (!verify(update)) return Verdict::bad_signature;
  if (update.expires <= now) return Verdict::expired;
  const auto stored = store_.latest(update.name);
  if (change == Change::erase && (!stored || stored->deleted)) return Verdict::unknown_name;
  // An expired record, like a tombstone, still holds its name for its
  // owner: a name is bound to its first key for good, so neither a lapse
  // nor a delete can hand it to a stranger, and the version goes on
  // increasing, so nothing from before can be stored again.
  if (stored) {
    if (stored->record.owner != update.owner) return Verdict::wrong_owner;
    if (update.version <= stored->record.version) return Verdict::stale_version;
  }
  return Verdict::accepted;
}

asio::awaitable<Verdict> Registry::commit(Record update, Change change) {
  // The awaitable is made in a statement of its own: g++ 12 may destroy the
  // temporaries of a co_await expression twice.
  auto writing = store_.write(StoredName{std::move(update), change == Change::erase});
  const auto ec = co_await std::move(writing);
  co_return ec ? Verdict::storage_failed : Verdict::accepted;
}

asio::awaitable<Verdict> Registry::put(Record update, std::int64_t now) {
  const auto verdict = check(update, Change::put, now);
  if (verdict != Verdict::accepted) co_return verdict;
  auto committing = commit(std::move(update), Change::put);
  co_return co_await std::move(committing);
}

asio::awaitable<Verdict> Registry::erase(Record proof, std::int64_t now) {
  const auto verdict = check(proof, Change::erase, now);
  if (verdict != Verdict::accepted) co_return verdict;
  auto committing = commit(std::move(proof), Change::erase);
  co_return co_await std::move(committing);
}

std::optional<Record> Registry::get(const std::string& name, std::int64_t now) const {
  auto stored = store_.get(name);
  if (!stored || !live(*stored, now)) return std::nullopt;
  return std::move(stored->record);
}

std::vector<Record> Registry::list(std::string_view prefix, std::int64_t now, std::size_t limit) const {
  std::vector<Record> records;
  // The store's answer holds the dead entries (tombstones, lapsed records)
  // too, counted against its limit: while a full answer had fewer than
  // `limit` live ones, ask again for twice as many, which keeps the work
  // within about four times that of reading the entries once.
  for (std::size_t asked = limit; limit > 0;) {
    auto stored = store_.list(prefix, asked);
    records.clear();
    for (auto& entry : stored) {
      if (!live(entry, now)) continue;
      records.push_back(std::move(entry.record));
      if (records.size() == limit) return records;
    }
    if (stored.size() < asked) break;  // nothing more under the prefix
    constexpr auto kMost = std::numeric_limits<std::size_t>::max();
    asked = asked > kMost / 2 ? kMost : asked * 2;
  }
  return records;
}

}  // namespace msocket::names
