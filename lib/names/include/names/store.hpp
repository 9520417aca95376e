// Where mnamed keeps its records: the interface the registry (its rules)
// and the server use, with no knowledge of the back end. Two back ends:
// the embedded log (log_store.hpp) and an etcd cluster (etcd_store.hpp);
// tests/unit/names_store_suite_test.cpp holds both to one contract.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "names/record.hpp"

namespace msocket::names {

// What is stored under a name: its record (live or expired), or, once the
// name is deleted, a tombstone. The tombstone is the owner's signed delete
// proof (a record of the name with the owner's key and a version above the
// last record's): it keeps the name's owner and version, so a record from
// before the delete cannot be stored again (stale_version) and the name
// stays its owner's (wrong_owner for another key), and anyone can check it.
struct StoredName {
  Record record;  // with `deleted`, the delete proof
  bool deleted = false;
  bool operator==(const StoredName&) const = default;
};

// Which write a name's entry was left by; 0: the name has none. Only
// equality means anything: a conditional write (Store::write_if) names the
// revision it read, and fails if another write came after it.
struct Revision {
  std::uint64_t value = 0;
  bool operator==(const Revision&) const = default;
};

// A name's newest entry and its revision.
struct NewestEntry {
  std::optional<StoredName> entry;
  Revision revision;
};

class Store {
 public:
  virtual ~Store() = default;
  // The durable entry of `name`: what lookups and watches see. An expired
  // record may come back with its addresses and signature dropped (a
  // distributed store lets them lapse); its name, owner, version and
  // expiry are kept. Errors: name_error::store_unavailable.
  virtual boost::asio::awaitable<result<std::optional<StoredName>>> find(std::string name) = 0;
  // The newest entry, durable or still being written, and its revision:
  // what the rules compare the next update with. Errors: as find().
  virtual boost::asio::awaitable<result<NewestEntry>> find_newest(std::string name) = 0;
  // Durable entries whose names begin with `prefix` (an empty one matches
  // every name), in name order, at most `limit`. Every live record is
  // among them; tombstones and expired records may be too (and then count
  // against the limit). Errors: as find().
  virtual boost::asio::awaitable<result<std::vector<StoredName>>> find_prefix(std::string prefix,
                                                                                std::size_t limit) = 0;
  // Writes `entry` if the name's newest entry is still at `expected`, in one
  // step no other write can come between (the store's own transaction, not
  // a read in the caller). Suspends until it is durable: a crash after that
  // loses nothing. Errors: name_error::store_conflict (nothing written);
  // store_unavailable, or the file system's (e.g. no space left): then it
  // may or may not have been written, which find_newest() tells.
  virtual boost::asio::awaitable<boost::system::error_code> write_if(StoredName entry, Revision expected) = 0;
  // Calls `changed(name)` on the store's executor after any durable change
  // of the name, made through this store or, for a shared store, by anyone;
  // an empty name: anything may have changed (e.g. changes were missed
  // while the store was cut off). One callback at a time; an empty function
  // removes it.
  virtual void on_change(std::function<void(const std::string& name)> changed) = 0;
};

}  // namespace msocket::names
