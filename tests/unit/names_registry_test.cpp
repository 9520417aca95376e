#include <catch2/catch.hpp>

#include "names/name_error.hpp"
#include "names/registry.hpp"
#include "names_await.hpp"

using namespace msocket::names;
namespace asio = boost::asio;

namespace {

// A store in memory, for the rules alone: every write is durable at once.
class MemoryStore final : public Store {
 public:
  asio::awaitable<msocket::result<std::optional<StoredName>>> find(std::string name) override {
    auto it = entries.find(name);
    co_return it == entries.end() ? std::nullopt : std::optional<StoredName>(it->second);
  }
  asio::awaitable<msocket::result<NewestEntry>> find_newest(std::string name) override {
    auto it = entries.find(name);
    if (it == entries.end()) co_return NewestEntry{};
    co_return NewestEntry{it->second, {revisions[name]}};
  }
  asio::awaitable<msocket::result<std::vector<StoredName>>> find_prefix(std::string prefix,
                                                                        std::size_t limit) override {
    std::vector<StoredName> found;
    for (auto it = entries.lower_bound(prefix); it != entries.end() && found.size() < limit; ++it) {
      if (!it->first.starts_with(prefix)) break;
      found.push_back(it->second);
    }
    co_return found;
  }
  asio::awaitable<boost::system::error_code> write_if(StoredName entry, Revision expected) override {
    auto name = entry.record.name;
    if (Revision{entries.contains(name) ? revisions[name] : 0} != expected) co_return name_error::store_conflict;
    revisions[name] = ++last_revision;
    entries[name] = std::move(entry);
    co_return boost::system::error_code{};
  }
  void on_change(std::function<void(const std::string&)>) override {}
  std::map<std::string, StoredName> entries;
  std::map<std::string, std::uint64_t> revisions;
  std::uint64_t last_revision = 0;
};

constexpr std::int64_t kNow = 1'800'000'000;

Record record(const SigningKey& key, std::uint64_t version, std::int64_t expires = kNow + 60) {
  Record r;
  r.name = "phone.example";
  r.addresses = {"10.0.0.1:7000"};
  r.version = version;
  r.expires = expires;
  sign(r, key);
  return r;
}

// The registry and its store, with the io_context their awaitables run on.
struct Fixture {
  Verdict put(const Record& r, std::int64_t now = kNow) { return await_in(context, registry.put(r, now)); }
  Verdict erase(const Record& r, std::int64_t now = kNow) { return await_in(context, registry.erase(r, now)); }
  std::optional<Record> get(const std::string& name, std::int64_t now) {
    return await_in(context, registry.get(name, now)).value();
  }
  std::vector<Record> list(std::string_view prefix, std::int64_t now, std::size_t limit) {
    return await_in(context, registry.list(std::string(prefix), now, limit)).value();
  }
  asio::io_context context;
  MemoryStore store;
  Registry registry{store};
};

}  // namespace

TEST_CASE("the first key owns the name, updates need its signature and a newer version", "[names]") {
  Fixture f;
  const auto owner = generate_signing_key(), stranger = generate_signing_key();

  CHECK(f.put(record(owner, 1)) == Verdict::accepted);
  CHECK(f.put(record(owner, 2)) == Verdict::accepted);
  CHECK(f.put(record(owner, 2)) == Verdict::stale_version);
  CHECK(f.put(record(owner, 1)) == Verdict::stale_version);  // a replay
  CHECK(f.put(record(stranger, 9)) == Verdict::wrong_owner);
  CHECK(f.store.entries.at("phone.example").record.version == 2);  // unchanged by the refusals

  auto tampered = record(owner, 3);
  tampered.addresses = {"10.6.6.6:7000"};
  CHECK(f.put(tampered) == Verdict::bad_signature);
  CHECK(f.put(record(owner, 3, kNow - 1)) == Verdict::expired);
  CHECK(f.get("phone.example", kNow)->version == 2);
}

TEST_CASE("an expired record is not served, but its name stays with its owner", "[names]") {
  Fixture f;
  const auto owner = generate_signing_key(), stranger = generate_signing_key();
  REQUIRE(f.put(record(owner, 1, kNow + 10)) == Verdict::accepted);
  CHECK_FALSE(f.get("phone.example", kNow + 20).has_value());
  CHECK(f.put(record(stranger, 5, kNow + 100), kNow + 20) == Verdict::wrong_owner);
  CHECK(f.put(record(owner, 2, kNow + 100), kNow + 20) == Verdict::accepted);
}

TEST_CASE("deleting needs the owner's signature and a newer version", "[names]") {
  Fixture f;
  const auto owner = generate_signing_key(), stranger = generate_signing_key();
  CHECK(f.erase(record(owner, 1)) == Verdict::unknown_name);
  REQUIRE(f.put(record(owner, 1)) == Verdict::accepted);
  CHECK(f.erase(record(stranger, 2)) == Verdict::wrong_owner);
  CHECK(f.erase(record(owner, 1)) == Verdict::stale_version);
  CHECK(f.erase(record(owner, 2)) == Verdict::accepted);
  CHECK_FALSE(f.get("phone.example", kNow).has_value());
}

TEST_CASE("a delete leaves the signed proof as a tombstone: no replay, no takeover", "[names]") {
  Fixture f;
  const auto owner = generate_signing_key(), stranger = generate_signing_key();
  const auto old_record = record(owner, 5);
  REQUIRE(f.put(old_record) == Verdict::accepted);
  const auto proof = record(owner, 6);
  REQUIRE(f.erase(proof) == Verdict::accepted);

  const auto& tombstone = f.store.entries.at("phone.example");
  CHECK(tombstone.deleted);
  CHECK(tombstone.record == proof);  // owner, version and the owner's signature
  CHECK(verify(tombstone.record));

  CHECK(f.put(old_record) == Verdict::stale_version);  // the old record, replayed
  CHECK(f.put(record(owner, 6)) == Verdict::stale_version);
  CHECK(f.put(record(stranger, 100)) == Verdict::wrong_owner);  // the name is still the owner's
  CHECK(f.erase(record(owner, 7)) == Verdict::unknown_name);    // nothing live to delete
  CHECK_FALSE(f.get("phone.example", kNow).has_value());

  CHECK(f.put(record(owner, 7)) == Verdict::accepted);  // the owner comes back
  CHECK(f.get("phone.example", kNow)->version == 7);
}

namespace {

// A record of `name`, else as record() makes them.
Record record_of(const std::string& name, const SigningKey& key, std::uint64_t version,
                 std::int64_t expires = kNow + 60) {
  auto r = record(key, version, expires);
  r.name = name;
  sign(r, key);
  return r;
}

std::vector<std::string> listed_names(const std::vector<Record>& records) {
  std::vector<std::string> names;
  for (const auto& r : records) names.push_back(r.name);
  return names;
}

using Names = std::vector<std::string>;

}  // namespace

TEST_CASE("list gives the live records under a prefix, in name order, at most the limit", "[names]") {
  Fixture f;
  const auto owner = generate_signing_key();
  for (const char* name : {"mproxy.c", "other", "mproxy.a", "mproxy", "mproxyx", "mproxy.b", "a.mproxy.d"})
    REQUIRE(f.put(record_of(name, owner, 1)) == Verdict::accepted);
  const auto list = [&](std::string_view prefix, std::size_t limit, std::int64_t now = kNow) {
    return listed_names(f.list(prefix, now, limit));
  };

  CHECK(list("mproxy.", 10) == Names{"mproxy.a", "mproxy.b", "mproxy.c"});
  CHECK(list("mproxy.", 2) == Names{"mproxy.a", "mproxy.b"});
  CHECK(list("mproxy", 10) == Names{"mproxy", "mproxy.a", "mproxy.b", "mproxy.c", "mproxyx"});
  CHECK(list("mproxy.c", 10) == Names{"mproxy.c"});
  CHECK(list("mproxy.", 0).empty());
  CHECK(list("nobody", 10).empty());
  CHECK(list("z", 10).empty());  // after every name
  const auto listed = f.list("mproxy.c", kNow, 1);
  REQUIRE(listed.size() == 1);
  CHECK(listed.front() == f.store.entries.at("mproxy.c").record);  // the whole record, signature and all

  // A deleted name and a lapsed record are left out, and not counted.
  REQUIRE(f.erase(record_of("mproxy.a", owner, 2)) == Verdict::accepted);
  REQUIRE(f.put(record_of("mproxy.b", owner, 2, kNow + 10)) == Verdict::accepted);
  CHECK(list("mproxy.", 10) == Names{"mproxy.b", "mproxy.c"});
  CHECK(list("mproxy.", 10, kNow + 10) == Names{"mproxy.c"});
  CHECK(list("mproxy.", 1, kNow + 10) == Names{"mproxy.c"});
  CHECK(list("mproxy.a", 10).empty());
}

TEST_CASE("list finds the live records past many dead ones", "[names]") {
  Fixture f;
  const auto owner = generate_signing_key();
  // Twenty tombstones, then three live records, then one lapsed.
  for (int i = 0; i < 20; ++i) {
    const auto name = "pool." + std::string(i < 10 ? "0" : "") + std::to_string(i);
    REQUIRE(f.put(record_of(name, owner, 1)) == Verdict::accepted);
    REQUIRE(f.erase(record_of(name, owner, 2)) == Verdict::accepted);
  }
  for (const char* name : {"pool.20", "pool.21", "pool.22"})
    REQUIRE(f.put(record_of(name, owner, 1)) == Verdict::accepted);
  REQUIRE(f.put(record_of("pool.23", owner, 1, kNow + 1)) == Verdict::accepted);

  CHECK(listed_names(f.list("pool.", kNow + 1, 1)) == Names{"pool.20"});
  CHECK(listed_names(f.list("pool.", kNow + 1, 2)) == Names{"pool.20", "pool.21"});
  CHECK(listed_names(f.list("pool.", kNow + 1, 100)) == Names{"pool.20", "pool.21", "pool.22"});
  CHECK(listed_names(f.list("pool.", kNow, 100)) == Names{"pool.20", "pool.21", "pool.22", "pool.23"});
  CHECK(f.list("pool.0", kNow, 100).empty());
}
