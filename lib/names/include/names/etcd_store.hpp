// The store on an etcd v3 cluster (etcd_gateway.hpp), for any number of
// stateless mnamed front ends serving the same names. Per name, two keys
// under options.prefix:
//   claim/NAME   {"owner", "version", "expires"}, or {"tombstone": PROOF}:
//                who owns the name and its last version, for good (no lease:
//                a name stays its first key's, as in the log store)
//   record/NAME  the record's JSON, under a lease that ends at its expiry,
//                so dead records vanish with no sweeper
// A write is one etcd transaction that compares the claim's mod_revision
// with the one read (Store::write_if): two front ends racing on one name
// cannot both win. Changes reach on_change() through one etcd watch of the
// prefix per store, resumed from the last revision seen after a failover.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "names/etcd_gateway.hpp"
#include "names/store.hpp"

namespace msocket::names {

struct EtcdShared;

class EtcdStore final : public Store {
 public:
  // Reads the cluster's revision, then watches the prefix from there on:
  // once open() returns, no change is missed. Errors:
  // name_error::store_unavailable if no endpoint answered.
  static boost::asio::awaitable<result<std::unique_ptr<EtcdStore>>> open(boost::asio::any_io_executor executor,
                                                                          std::vector<ServerUrl> endpoints,
                                                                          EtcdOptions options = {});
  // Ends the watch (stop()). The coroutines finish on the executor.
  ~EtcdStore() override;
  // Ends the watch, so that the executor runs out of work once the calls in
  // flight are answered. Idempotent; from the executor's thread.
  void stop();

  boost::asio::awaitable<result<std::optional<StoredName>>> find(std::string name) override;
  boost::asio::awaitable<result<NewestEntry>> find_newest(std::string name) override;
  // Live records only (and lapsed ones whose lease has not ended yet).
  boost::asio::awaitable<result<std::vector<StoredName>>> find_prefix(std::string prefix, std::size_t limit) override;
  boost::asio::awaitable<boost::system::error_code> write_if(StoredName entry, Revision expected) override;
  void on_change(std::function<void(const std::string& name)> changed) override;

  // Watch events seen and leases granted (for tests and the benchmark).
  std::uint64_t events_seen() const;
  std::uint64_t leases_granted() const;

 private:
  explicit EtcdStore(std::shared_ptr<EtcdShared> shared) : shared_(std::move(shared)) {}
  // The lease a record expiring at `expires` is put under.
  boost::asio::awaitable<result<std::int64_t>> lease_for(std::int64_t expires);
  boost::asio::awaitable<result<NewestEntry>> read(const std::string& name);

  std::shared_ptr<EtcdShared> shared_;
};

}  // namespace msocket::names
