// One contract, two stores: the log store (one machine) and the etcd store
// (a cluster shared by several front ends) pass the same tests, through the
// Store interface and the registry's rules over it. "Two front ends" are
// two stores on one cluster for etcd, and one store for the log.
#include <chrono>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <catch2/catch.hpp>

#include "etcd_process.hpp"
#include "names/etcd_store.hpp"
#include "names/log_store.hpp"
#include "names/name_error.hpp"
#include "names/registry.hpp"
#include "names_await.hpp"
#include "temp_dir.hpp"

using namespace msocket::names;
namespace asio = boost::asio;

namespace {

std::int64_t suite_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

struct LogStoreFixture {
  static constexpr const char* kind = "log";
  bool available() const { return true; }
  Store& first() { return *store; }
  Store& second() { return *store; }
  asio::io_context context;  // outlives the store
  TempDir dir{"store-suite"};
  std::unique_ptr<LogStore> store = std::move(LogStore::open(dir.path).value());
};

struct EtcdStoreFixture {
  static constexpr const char* kind = "etcd";
  EtcdStoreFixture() {
    auto* etcd = EtcdProcess::shared();
    if (!etcd) return;
    // A prefix of its own: the tests share one cluster.
    EtcdOptions options;
    options.prefix = "suite-" + std::to_string(std::random_device{}()) + "/";
    const auto endpoints = parse_server_list(etcd->url()).value();
    stores[0] = std::move(await_in(context, EtcdStore::open(context.get_executor(), endpoints, options)).value());
    stores[1] = std::move(await_in(context, EtcdStore::open(context.get_executor(), endpoints, options)).value());
  }
  bool available() const { return stores[0] != nullptr; }
  Store& first() { return *stores[0]; }
  Store& second() { return *stores[1]; }
  asio::io_context context;
  std::unique_ptr<EtcdStore> stores[2];
};

Record suite_record(const SigningKey& key, const std::string& name, std::uint64_t version,
              std::int64_t expires = suite_now() + 600) {
  Record r;
  r.name = name;
  r.addresses = {"10.0.0." + std::to_string(version % 250 + 1) + ":7000"};
  r.version = version;
  r.expires = expires;
  sign(r, key);
  return r;
}

template <class T>
T suite_await(asio::io_context& context, asio::awaitable<T> task) {
  return await_in(context, std::move(task));
}

// Runs `context` until `done()` or `limit` has passed.
template <class Done>
bool suite_run_until(asio::io_context& context, Done done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  context.restart();
  while (!done() && std::chrono::steady_clock::now() < deadline) context.run_one_for(std::chrono::milliseconds(50));
  return done();
}

}  // namespace

TEMPLATE_TEST_CASE("store: a conditional write wins only over the revision it read", "[names]", LogStoreFixture,
                   EtcdStoreFixture) {
  TestType f;
  if (!f.available()) return;
  INFO(TestType::kind << " store");
  auto& store = f.first();
  const auto key = generate_signing_key();
  const auto absent = suite_await(f.context, store.find_newest("phone"));
  REQUIRE(absent.has_value());
  CHECK_FALSE(absent->entry.has_value());
  CHECK(absent->revision == Revision{});
  CHECK_FALSE(suite_await(f.context, store.find("phone")).value().has_value());

  const StoredName first{suite_record(key, "phone", 1), false};
  CHECK_FALSE(suite_await(f.context, store.write_if(first, absent->revision)));
  const auto stored = suite_await(f.context, store.find_newest("phone")).value();
  CHECK(stored.entry == first);
  CHECK(stored.revision != Revision{});
  CHECK(suite_await(f.context, store.find("phone")).value() == first);

  // A writer that read before that write loses, and changes nothing.
  const StoredName late{suite_record(key, "phone", 2), false};
  CHECK(suite_await(f.context, store.write_if(late, absent->revision)) == name_error::store_conflict);
  CHECK(suite_await(f.context, f.second().find("phone")).value() == first);

  // A tombstone keeps the signed proof.
  const StoredName tombstone{suite_record(key, "phone", 3), true};
  CHECK_FALSE(suite_await(f.context, store.write_if(tombstone, stored.revision)));
  CHECK(suite_await(f.context, f.second().find("phone")).value() == tombstone);
}

TEMPLATE_TEST_CASE("store: the registry's rules hold over it", "[names]", LogStoreFixture, EtcdStoreFixture) {
  TestType f;
  if (!f.available()) return;
  INFO(TestType::kind << " store");
  Registry registry(f.first()), other_front_end(f.second());
  const auto owner = generate_signing_key(), stranger = generate_signing_key();
  const auto now = suite_now();
  const auto put = [&](Registry& r, const Record& update) { return suite_await(f.context, r.put(update, now)); };
  CHECK(put(registry, suite_record(owner, "phone", 1)) == Verdict::accepted);
  CHECK(put(other_front_end, suite_record(owner, "phone", 1)) == Verdict::stale_version);
  CHECK(put(other_front_end, suite_record(stranger, "phone", 9)) == Verdict::wrong_owner);
  CHECK(put(other_front_end, suite_record(owner, "phone", 2)) == Verdict::accepted);
  CHECK(suite_await(f.context, registry.get("phone", now)).value()->version == 2);
  CHECK(suite_await(f.context, other_front_end.erase(suite_record(stranger, "phone", 3), now)) == Verdict::wrong_owner);
  CHECK(suite_await(f.context, registry.erase(suite_record(owner, "phone", 3), now)) == Verdict::accepted);
  CHECK_FALSE(suite_await(f.context, other_front_end.get("phone", now)).value().has_value());
  CHECK(put(other_front_end, suite_record(owner, "phone", 3)) == Verdict::stale_version);  // the tombstone's version
  CHECK(put(other_front_end, suite_record(stranger, "phone", 10)) == Verdict::wrong_owner);
  CHECK(put(registry, suite_record(owner, "phone", 4)) == Verdict::accepted);
}

TEMPLATE_TEST_CASE("store: of two updates raced through two front ends, exactly one wins", "[names]",
                   LogStoreFixture, EtcdStoreFixture) {
  TestType f;
  if (!f.available()) return;
  INFO(TestType::kind << " store");
  Registry one(f.first()), two(f.second());
  const auto owner = generate_signing_key(), stranger = generate_signing_key();
  const auto now = suite_now();
  for (std::uint64_t version = 1; version <= 5; ++version) {
    // The same version with other addresses, from the same key: one is stale.
    auto a = suite_record(owner, "raced", version), b = a;
    b.addresses = {"10.9.9.9:9"};
    sign(b, owner);
    std::optional<Verdict> first, second;
    asio::co_spawn(f.context, one.put(a, now), [&](std::exception_ptr, Verdict v) { first = v; });
    asio::co_spawn(f.context, two.put(b, now), [&](std::exception_ptr, Verdict v) { second = v; });
    REQUIRE(suite_run_until(f.context, [&] { return first && second; }, std::chrono::seconds(10)));
    CHECK(((*first == Verdict::accepted) != (*second == Verdict::accepted)));
    CHECK((*first == Verdict::stale_version || *second == Verdict::stale_version));
  }
  // Two keys racing for a new name: the first key owns it.
  std::optional<Verdict> first, second;
  asio::co_spawn(f.context, one.put(suite_record(owner, "claimed", 1), now), [&](std::exception_ptr, Verdict v) { first = v; });
  asio::co_spawn(f.context, two.put(suite_record(stranger, "claimed", 1), now),
                 [&](std::exception_ptr, Verdict v) { second = v; });
  REQUIRE(suite_run_until(f.context, [&] { return first && second; }, std::chrono::seconds(10)));
  CHECK(((*first == Verdict::accepted) != (*second == Verdict::accepted)));
  CHECK((*first == Verdict::wrong_owner || *second == Verdict::wrong_owner));
}

TEMPLATE_TEST_CASE("store: lists the live records under a prefix, in name order", "[names]", LogStoreFixture,
                   EtcdStoreFixture) {
  TestType f;
  if (!f.available()) return;
  INFO(TestType::kind << " store");
  Registry registry(f.first());
  const auto owner = generate_signing_key();
  const auto now = suite_now();
  const auto expires = now + 600;  // one expiry, so that a record made again below is the same
  for (const char* name : {"pool.b", "pool", "pool.a", "poolx", "other", "pool.c", "pool.d"})
    REQUIRE(suite_await(f.context, registry.put(suite_record(owner, name, 1, expires), now)) == Verdict::accepted);
  REQUIRE(suite_await(f.context, registry.erase(suite_record(owner, "pool.c", 2), now)) == Verdict::accepted);
  const auto names = [&](std::string prefix, std::size_t limit) {
    std::vector<std::string> listed;
    for (const auto& r : suite_await(f.context, registry.list(prefix, now, limit)).value()) listed.push_back(r.name);
    return listed;
  };
  using Names = std::vector<std::string>;
  CHECK(names("pool.", 10) == Names{"pool.a", "pool.b", "pool.d"});
  CHECK(names("pool.", 2) == Names{"pool.a", "pool.b"});
  CHECK(names("pool", 10) == Names{"pool", "pool.a", "pool.b", "pool.d", "poolx"});
  CHECK(names("q", 10).empty());
  const auto stored = suite_await(f.context, f.second().find_prefix("pool.", 10)).value();
  REQUIRE_FALSE(stored.empty());
  CHECK(stored.front() == StoredName{suite_record(owner, "pool.a", 1, expires), false});  // the whole record, signature and all
}

TEMPLATE_TEST_CASE("store: every front end is told of a change", "[names]", LogStoreFixture, EtcdStoreFixture) {
  TestType f;
  if (!f.available()) return;
  INFO(TestType::kind << " store");
  std::vector<std::string> seen;
  f.second().on_change([&](const std::string& name) { seen.push_back(name); });
  Registry registry(f.first());
  const auto key = generate_signing_key();
  REQUIRE(suite_await(f.context, registry.put(suite_record(key, "moving", 1), suite_now())) == Verdict::accepted);
  CHECK(suite_run_until(f.context, [&] { return std::find(seen.begin(), seen.end(), "moving") != seen.end(); },
                  std::chrono::seconds(5)));
  f.second().on_change({});
}

TEMPLATE_TEST_CASE("store: a lapsed record is not served but keeps its name for its owner", "[names]",
                   LogStoreFixture, EtcdStoreFixture) {
  TestType f;
  if (!f.available()) return;
  INFO(TestType::kind << " store");
  Registry registry(f.first());
  const auto owner = generate_signing_key(), stranger = generate_signing_key();
  const auto start = suite_now();
  REQUIRE(suite_await(f.context, registry.put(suite_record(owner, "brief", 1, start + 2), start)) == Verdict::accepted);
  // Past its expiry and, in etcd, its lease's end (a span of 5 s after it).
  asio::steady_timer wait(f.context, std::chrono::seconds(TestType::kind == std::string("etcd") ? 9 : 3));
  bool waited = false;
  wait.async_wait([&](boost::system::error_code) { waited = true; });
  REQUIRE(suite_run_until(f.context, [&] { return waited; }, std::chrono::seconds(15)));
  const auto now = suite_now();
  CHECK_FALSE(suite_await(f.context, registry.get("brief", now)).value().has_value());
  const auto lapsed = suite_await(f.context, f.second().find("brief")).value();
  REQUIRE(lapsed.has_value());
  CHECK(lapsed->record.owner == owner.public_key);
  CHECK(lapsed->record.version == 1);
  // etcd's lease took the record itself away: no sweeper did.
  if (TestType::kind == std::string("etcd")) CHECK(lapsed->record.addresses.empty());
  CHECK(suite_await(f.context, registry.put(suite_record(stranger, "brief", 5), now)) == Verdict::wrong_owner);
  CHECK(suite_await(f.context, registry.put(suite_record(owner, "brief", 1), now)) == Verdict::stale_version);
  CHECK(suite_await(f.context, registry.put(suite_record(owner, "brief", 2), now)) == Verdict::accepted);
}
