#include "names/registry.hpp"

namespace msocket::names {

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

Verdict Registry::check(const Record& update, std::int64_t now) const {
  if (!verify(update)) return Verdict::bad_signature;
  if (update.expires <= now) return Verdict::expired;
  // An expired record still holds its name for its owner: a name is bound to
  // its first key for good, so a lapse cannot hand it to a stranger.
  if (auto stored = store_.get(update.name)) {
    if (stored->owner != update.owner) return Verdict::wrong_owner;
    if (update.version <= stored->version) return Verdict::stale_version;
  }
  return Verdict::accepted;
}

Verdict Registry::put(const Record& update, std::int64_t now) {
  const auto verdict = check(update, now);
  if (verdict != Verdict::accepted) return verdict;
  return store_.put(update) ? Verdict::storage_failed : Verdict::accepted;
}

Verdict Registry::erase(const Record& proof, std::int64_t now) {
  if (!store_.get(proof.name)) return Verdict::unknown_name;
  const auto verdict = check(proof, now);
  if (verdict != Verdict::accepted) return verdict;
  return store_.erase(proof.name) ? Verdict::storage_failed : Verdict::accepted;
}

std::optional<Record> Registry::get(const std::string& name, std::int64_t now) const {
  auto r = store_.get(name);
  if (!r || r->expires <= now) return std::nullopt;
  return r;
}

}  // namespace msocket::names
