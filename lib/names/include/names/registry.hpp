// The rules of the name service, apart from how it is served or stored:
// a name belongs to the key that first registered it, for good (a delete
// leaves a signed tombstone that keeps it so); every update must be signed
// by that key, carry a higher version and not be expired.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "names/store.hpp"

namespace msocket::names {

enum class Verdict {
  accepted,
  bad_signature,    // the record is not signed by the key it names
  wrong_owner,      // the name belongs to another key
  stale_version,    // not newer than what is stored (a tombstone included)
  expired,          // its expiry has passed
  unknown_name,     // nothing live stored under the name (a delete of it)
  storage_failed,   // the store could not make it durable
  refused,          // the caller's admission hook said no (e.g. a rate limit)
};

// For HTTP answers and logs: "signature does not verify", ...
const char* describe(Verdict verdict);

// What an update does: store a record, or delete the name (the record is
// then the owner's signed proof, kept as the tombstone).
enum class Change { put, erase };

// The rules alone: would `update` be accepted over `stored` now (`now` in
// seconds since the epoch)? Pure.
Verdict check(const Record& update, Change change, const std::optional<StoredName>& stored, std::int64_t now);

class Registry {
 public:
  explicit Registry(Store& store) : store_(store) {}

  // Checks `update` against the name's newest entry and, if accepted and
  // `admit(update)` agrees (asked once, only for an update that passed
  // every rule), writes it on the condition that the entry is still the one
  // checked: if another update came between, the rules are checked again
  // against it. Suspends until the update is durable. An update found
  // stored already (its answer was lost and it was sent again) is accepted.
  boost::asio::awaitable<Verdict> update(Record update, Change change, std::int64_t now,
                                         std::function<bool(const Record&)> admit = {});
  // update() of a record, and of a delete proof: `proof` must be a record
  // of the name signed by its owner with a version above the stored one (so
  // a recorded delete cannot be replayed after a new registration). The
  // proof stays as the name's tombstone.
  boost::asio::awaitable<Verdict> put(Record update, std::int64_t now);
  boost::asio::awaitable<Verdict> erase(Record proof, std::int64_t now);
  // The live record (durable, not deleted, not expired), if any.
  // Errors: the store's (name_error::store_unavailable).
  boost::asio::awaitable<result<std::optional<Record>>> get(std::string name, std::int64_t now);
  // The live records (as get() gives them) whose names begin with
  // `prefix`, in name order, at most `limit`. Tombstones and expired
  // records are passed over, not counted. Errors: the store's.
  boost::asio::awaitable<result<std::vector<Record>>> list(std::string prefix, std::int64_t now, std::size_t limit);

  Store& store() { return store_; }

 private:
  Store& store_;
};

}  // namespace msocket::names
