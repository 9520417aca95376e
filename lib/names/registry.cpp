#include "names/registry.hpp"

#include <limits>

#include "names/name_error.hpp"

namespace msocket::names {

namespace asio = boost::asio;

namespace {

bool live(const StoredName& stored, std::int64_t now) { return !stored.deleted && stored.record.expires > now; }

// How often an update is checked again after another one came between:
// each round means another update of the same name was stored meanwhile,
// so a few rounds end in stale_version for all but the newest.
constexpr int kMaxRounds = 16;

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
    case Verdict::refused: return "refused";
  }
  return "unknown verdict";
}

Verdict check(const Record& update, Change change, const std::optional<StoredName>& stored, std::int64_t now) {
  if (!verify(update)) return Verdict::bad_signature;
  if (update.expires <= now) return Verdict::expired;
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

asio::awaitable<Verdict> Registry::update(Record update, Change change, std::int64_t now,
                                          std::function<bool(const Record&)> admit) {
  const StoredName entry{std::move(update), change == Change::erase};
  bool admitted = false;
  for (int round = 0; round < kMaxRounds; ++round) {
    // Awaitables are made in statements of their own: g++ 12 may destroy
    // the temporaries of a co_await expression twice.
    auto reading = store_.find_newest(entry.record.name);
    const auto newest = co_await std::move(reading);
    if (!newest) co_return Verdict::storage_failed;
    // Our own update, already stored: an earlier try's answer was lost.
    if (round > 0 && newest->entry == entry) co_return Verdict::accepted;
    const auto verdict = check(entry.record, change, newest->entry, now);
    if (verdict != Verdict::accepted) co_return verdict;
    if (!admitted && admit && !admit(entry.record)) co_return Verdict::refused;
    admitted = true;
    auto writing = store_.write_if(entry, newest->revision);
    const auto ec = co_await std::move(writing);
    if (!ec) co_return Verdict::accepted;
    if (ec == name_error::store_conflict) continue;
    // Written or not: the next round reads which (and accepts it if so).
    if (ec != name_error::store_unavailable) co_return Verdict::storage_failed;
  }
  co_return Verdict::storage_failed;
}

asio::awaitable<Verdict> Registry::put(Record update, std::int64_t now) {
  auto updating = this->update(std::move(update), Change::put, now);
  co_return co_await std::move(updating);
}

asio::awaitable<Verdict> Registry::erase(Record proof, std::int64_t now) {
  auto updating = update(std::move(proof), Change::erase, now);
  co_return co_await std::move(updating);
}

asio::awaitable<result<std::optional<Record>>> Registry::get(std::string name, std::int64_t now) {
  auto reading = store_.find(std::move(name));
  auto stored = co_await std::move(reading);
  if (!stored) co_return stored.error();
  if (!*stored || !live(**stored, now)) co_return std::optional<Record>();
  co_return std::optional<Record>(std::move((*stored)->record));
}

asio::awaitable<result<std::vector<Record>>> Registry::list(std::string prefix, std::int64_t now, std::size_t limit) {
  std::vector<Record> records;
  // The store's answer may hold dead entries (tombstones, lapsed records)
  // too, counted against its limit: while a full answer had fewer than
  // `limit` live ones, ask again for twice as many, which keeps the work
  // within about four times that of reading the entries once.
  for (std::size_t asked = limit; limit > 0;) {
    auto reading = store_.find_prefix(prefix, asked);
    auto stored = co_await std::move(reading);
    if (!stored) co_return stored.error();
    records.clear();
    for (auto& entry : *stored) {
      if (!live(entry, now)) continue;
      records.push_back(std::move(entry.record));
      if (records.size() == limit) co_return records;
    }
    if (stored->size() < asked) break;  // nothing more under the prefix
    constexpr auto kMost = std::numeric_limits<std::size_t>::max();
    asked = asked > kMost / 2 ? kMost : asked * 2;
  }
  co_return records;
}

}  // namespace msocket::names
