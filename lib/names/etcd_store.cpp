#include "names/etcd_store.hpp"

#include <cstring>

#include <boost/asio/co_spawn.hpp>
#include <boost/json.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "etcd_shared.hpp"
#include "names/name_error.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace json = boost::json;
using error_code = boost::system::error_code;

namespace {

// Records whose expiries fall in one such span share a lease that ends at
// its close: one lease grant per span and front end, not one per update.
// A record may so outlive its expiry in etcd by this much at most; the
// registry never serves it past its expiry.
constexpr std::chrono::seconds kLeaseSpan{5};
constexpr int kGrpcNotFound = 5;  // etcd's answer for a lease that is gone

std::int64_t unix_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

json::object range_of(const std::string& key) { return {{"request_range", json::object{{"key", etcd_base64(key)}}}}; }

// The first key-value of a range answer (in a txn's responses), or null.
const json::object* first_kv(const json::value& response) {
  const auto* object = response.if_object();
  const auto* range = object ? object->if_contains("response_range") : nullptr;
  const auto* kvs = range && range->is_object() ? range->as_object().if_contains("kvs") : nullptr;
  if (!kvs || !kvs->is_array() || kvs->as_array().empty()) return nullptr;
  return kvs->as_array().front().if_object();
}

std::optional<json::value> value_json(const json::object& kv) {
  const auto* value = kv.if_contains("value");
  const auto text = value && value->is_string() ? etcd_unbase64(value->as_string()) : std::optional<std::string>();
  if (!text) return std::nullopt;
  error_code ec;
  auto parsed = json::parse(*text, ec);
  if (ec) return std::nullopt;
  return parsed;
}

std::string claim_text(const StoredName& entry) {
  if (entry.deleted) return json::serialize(json::object{{"tombstone", to_json(entry.record)}});
  return json::serialize(json::object{{"owner", to_base64(entry.record.owner)},
                                      {"version", entry.record.version},
                                      {"expires", entry.record.expires}});
}

// The entry a claim and a record key (null if absent) stand for.
std::optional<StoredName> entry_of(const std::string& name, const json::object& claim_kv,
                                   const json::object* record_kv) {
  const auto claim = value_json(claim_kv);
  const auto* object = claim ? claim->if_object() : nullptr;
  if (!object) return std::nullopt;
  if (const auto* tombstone = object->if_contains("tombstone")) {
    auto proof = from_json(*tombstone);
    if (!proof) return std::nullopt;
    return StoredName{std::move(*proof), true};
  }
  if (record_kv) {
    const auto record_json = value_json(*record_kv);
    auto record = record_json ? from_json(*record_json) : result<Record>(errc::bad_frame);
    if (record) return StoredName{std::move(*record), false};
  }
  // The record's lease has ended: it lapsed. Its claim still holds the name.
  Record lapsed;
  lapsed.name = name;
  const auto* owner = object->if_contains("owner");
  const auto key = owner && owner->is_string() ? from_base64(owner->as_string(), lapsed.owner.size()) : std::nullopt;
  if (!key) return std::nullopt;
  std::memcpy(lapsed.owner.data(), key->data(), key->size());
  lapsed.version = static_cast<std::uint64_t>(etcd_number(object->if_contains("version")));
  lapsed.expires = etcd_number(object->if_contains("expires"));
  return StoredName{std::move(lapsed), false};
}

bool succeeded(const EtcdAnswer& answer) {
  const auto* object = answer.body.if_object();
  const auto* flag = object ? object->if_contains("succeeded") : nullptr;
  return flag && flag->is_bool() && flag->as_bool();  // the gateway leaves out a false
}

const json::array* responses_of(const EtcdAnswer& answer) {
  const auto* object = answer.body.if_object();
  const auto* responses = object ? object->if_contains("responses") : nullptr;
  return responses && responses->is_array() ? &responses->as_array() : nullptr;
}

}  // namespace

asio::awaitable<result<std::unique_ptr<EtcdStore>>> EtcdStore::open(asio::any_io_executor executor,
                                                                     std::vector<ServerUrl> endpoints,
                                                                     EtcdOptions options) {
  auto shared = std::make_shared<EtcdShared>(executor, std::move(endpoints), std::move(options));
  // Any range tells the cluster's revision; the watch starts after it.
  json::object probe{{"key", etcd_base64(shared->gateway.options().prefix)}, {"count_only", true}};
  auto probing = shared->gateway.call("/v3/kv/range", std::move(probe));
  const auto answer = co_await std::move(probing);
  if (!answer) co_return answer.error();
  if (answer->status != 200) co_return name_error::store_unavailable;
  const auto* header = answer->body.as_object().if_contains("header");
  shared->next_revision = etcd_number(header && header->is_object() ? header->as_object().if_contains("revision") : nullptr) + 1;
  asio::co_spawn(executor, follow_etcd_changes(shared), LogCoroutineFailure(log::names(), "the etcd watch"));
  co_return std::unique_ptr<EtcdStore>(new EtcdStore(std::move(shared)));
}

EtcdStore::~EtcdStore() { stop(); }

void EtcdStore::stop() {
  shared_->stopped = true;
  shared_->changed = {};
  if (shared_->watch_stream) shared_->watch_stream->close();
}

void EtcdStore::on_change(std::function<void(const std::string&)> changed) { shared_->changed = std::move(changed); }
std::uint64_t EtcdStore::events_seen() const { return shared_->events; }
std::uint64_t EtcdStore::leases_granted() const { return shared_->leases_granted; }

asio::awaitable<result<NewestEntry>> EtcdStore::read(const std::string& name) {
  // Both keys in one transaction: one revision of the cluster, one round trip.
  json::object txn{{"success", json::array{range_of(shared_->claim_key(name)), range_of(shared_->record_key(name))}}};
  auto calling = shared_->gateway.call("/v3/kv/txn", std::move(txn));
  const auto answer = co_await std::move(calling);
  if (!answer) co_return answer.error();
  const auto* responses = responses_of(*answer);
  if (answer->status != 200 || !responses || responses->size() != 2) co_return name_error::store_unavailable;
  const auto* claim = first_kv((*responses)[0]);
  if (!claim) co_return NewestEntry{};
  NewestEntry newest{entry_of(name, *claim, first_kv((*responses)[1])),
                     {static_cast<std::uint64_t>(etcd_number(claim->if_contains("mod_revision")))}};
  if (!newest.entry) co_return name_error::bad_response;
  co_return newest;
}

asio::awaitable<result<std::optional<StoredName>>> EtcdStore::find(std::string name) {
  auto reading = read(name);
  auto newest = co_await std::move(reading);
  if (!newest) co_return newest.error();
  co_return std::move(newest->entry);
}

asio::awaitable<result<NewestEntry>> EtcdStore::find_newest(std::string name) {
  // etcd acknowledges a write once it is durable on a quorum: nothing is
  // in flight that a read cannot see.
  auto reading = read(name);
  co_return co_await std::move(reading);
}

asio::awaitable<result<std::vector<StoredName>>> EtcdStore::find_prefix(std::string prefix, std::size_t limit) {
  std::vector<StoredName> found;
  if (limit == 0) co_return found;  // etcd reads a limit of 0 as none
  const auto first = shared_->record_key(prefix);
  json::object range{{"key", etcd_base64(first)},
                     {"range_end", etcd_base64(etcd_prefix_end(first))},
                     {"limit", std::to_string(std::min<std::size_t>(limit, 1u << 30))}};
  auto calling = shared_->gateway.call("/v3/kv/range", std::move(range));
  const auto answer = co_await std::move(calling);
  if (!answer) co_return answer.error();
  if (answer->status != 200) co_return name_error::store_unavailable;
  const auto* kvs = answer->body.as_object().if_contains("kvs");
  if (!kvs || !kvs->is_array()) co_return found;  // none: the gateway leaves the field out
  for (const auto& kv : kvs->as_array()) {
    const auto record_json = kv.is_object() ? value_json(kv.as_object()) : std::nullopt;
    auto record = record_json ? from_json(*record_json) : result<Record>(errc::bad_frame);
    if (record) found.push_back(StoredName{std::move(*record), false});
  }
  co_return found;
}

asio::awaitable<result<std::int64_t>> EtcdStore::lease_for(std::int64_t expires) {
  const auto now = unix_seconds();
  std::erase_if(shared_->leases, [now](const auto& lease) { return lease.first <= now + 1; });
  const auto span = kLeaseSpan.count();
  const auto ends = (expires / span + 1) * span;
  if (const auto cached = shared_->leases.find(ends); cached != shared_->leases.end()) co_return cached->second;
  auto granting = shared_->gateway.call("/v3/lease/grant", json::object{{"TTL", ends - now}});
  const auto answer = co_await std::move(granting);
  if (!answer) co_return answer.error();
  const auto id = answer->status == 200 ? etcd_number(answer->body.as_object().if_contains("ID")) : 0;
  if (id == 0) co_return name_error::store_unavailable;
  ++shared_->leases_granted;
  shared_->leases[ends] = id;
  co_return id;
}

asio::awaitable<error_code> EtcdStore::write_if(StoredName entry, Revision expected) {
  const auto& name = entry.record.name;
  const auto claim_key = etcd_base64(shared_->claim_key(name)), record_key = etcd_base64(shared_->record_key(name));
  // Twice at most: the second time with a new lease, if the cached one
  // was gone (its span ended early, e.g. the cluster's clock ran ahead).
  for (int tries = 0; tries < 2; ++tries) {
    json::array then{json::object{{"request_put", json::object{{"key", claim_key}, {"value", etcd_base64(claim_text(entry))}}}}};
    if (entry.deleted) {
      then.push_back(json::object{{"request_delete_range", json::object{{"key", record_key}}}});
    } else {
      auto leasing = lease_for(entry.record.expires);
      const auto lease = co_await std::move(leasing);
      if (!lease) co_return lease.error();
      then.push_back(json::object{{"request_put", json::object{{"key", record_key},
                                                               {"value", etcd_base64(json::serialize(to_json(entry.record)))},
                                                               {"lease", std::to_string(*lease)}}}});
    }
    // The rules were checked against the claim at `expected`: the write
    // happens only if it is still there (mod_revision 0: no claim yet).
    json::object compare{{"key", claim_key}, {"target", "MOD"}, {"result", "EQUAL"},
                         {"mod_revision", std::to_string(expected.value)}};
    json::object txn{{"compare", json::array{std::move(compare)}}, {"success", std::move(then)}};
    auto calling = shared_->gateway.call("/v3/kv/txn", std::move(txn));
    const auto answer = co_await std::move(calling);
    if (!answer) co_return answer.error();
    if (answer->status == 200) co_return succeeded(*answer) ? error_code{} : error_code(name_error::store_conflict);
    if (answer->error_code() != kGrpcNotFound || entry.deleted) break;
    shared_->leases.clear();
  }
  co_return name_error::store_unavailable;
}

}  // namespace msocket::names
