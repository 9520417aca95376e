// The rules of the name service, apart from how it is served or stored:
// a name belongs to the key that first registered it; every update must be
// signed by that key, carry a higher version and not be expired.
#pragma once

#include <string>

#include "names/store.hpp"

namespace msocket::names {

enum class Verdict {
  accepted,
  bad_signature,    // the record is not signed by the key it names
  wrong_owner,      // the name belongs to another key
  stale_version,    // not newer than what is stored
  expired,          // its expiry has passed
  unknown_name,     // nothing stored under the name
  storage_failed,   // the store could not make it durable
};

// For HTTP answers and logs: "signature does not verify", ...
const char* describe(Verdict verdict);

class Registry {
 public:
  explicit Registry(Store& store) : store_(store) {}

  // Checks `update` against the rules and stores it. `now` is seconds since
  // the epoch.
  Verdict put(const Record& update, std::int64_t now);
  // Deletes a name; `proof` must be a record for it signed by its owner
  // with a version above the stored one (so a recorded delete cannot be
  // replayed after a new registration).
  Verdict erase(const Record& proof, std::int64_t now);
  // The live record, or nullopt if unknown or expired.
  std::optional<Record> get(const std::string& name, std::int64_t now) const;

 private:
  Verdict check(const Record& update, std::int64_t now) const;
  Store& store_;
};

}  // namespace msocket::names
