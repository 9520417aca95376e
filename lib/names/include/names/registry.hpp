// The rules of the name service, apart from how it is served or stored:
// a name belongs to the key that first registered it, for good (a delete
// leaves a signed tombstone that keeps it so); every update must be signed
// by that key, carry a higher version and not be expired.
#pragma once

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
};

// For HTTP answers and logs: "signature does not verify", ...
const char* describe(Verdict verdict);

// What an update does: store a record, or delete the name (the record is
// then the owner's signed proof, kept as the tombstone).
enum class Change { put, erase };

class Registry {
 public:
  explicit Registry(Store& store) : store_(store) {}

  // The rules alone: would `update` be accepted now (`now` in seconds since
  // the epoch)? It is compared with the newest entry, durable or in flight.
  Verdict check(const Record& update, Change change, std::int64_t now) const;
  // Writes an update that check() just accepted, with no suspension in
  // between. Suspends until it is durable. accepted or storage_failed.
  boost::asio::awaitable<Verdict> commit(Record update, Change change);
  // check(), then commit() if accepted.
  boost::asio::awaitable<Verdict> put(Record update, std::int64_t now);
  // Deletes a name: `proof` must be a record of it signed by its owner with
  // a version above the stored one (so a recorded delete cannot be replayed
  // after a new registration). The proof stays as the name's tombstone.
  boost::asio::awaitable<Verdict> erase(Record proof, std::int64_t now);
  // The live record (durable, not deleted, not expired), if any.
  std::optional<Record> get(const std::string& name, std::int64_t now) const;
  // The live records (as get() gives them) whose names begin with
  // `prefix`, in name order, at most `limit`. Tombstones and expired
  // records are passed over, not counted.
  std::vector<Record> list(std::string_view prefix, std::int64_t now, std::size_t limit) const;

 private:
  Store& store_;
};

}  // namespace msocket::names
