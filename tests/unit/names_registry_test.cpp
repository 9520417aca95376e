#include <catch2/catch.hpp>

#include "names/registry.hpp"

using namespace msocket::names;

namespace {

// A store in memory, for the rules alone.
class MemoryStore final : public Store {
 public:
  std::optional<Record> get(const std::string& name) const override {
    auto it = records.find(name);
    return it == records.end() ? std::nullopt : std::optional<Record>(it->second);
  }
  boost::system::error_code put(const Record& r) override {
    records[r.name] = r;
    return {};
  }
  boost::system::error_code erase(const std::string& name) override {
    records.erase(name);
    return {};
  }
  std::size_t size() const override { return records.size(); }
  std::map<std::string, Record> records;
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

}  // namespace

TEST_CASE("the first key owns the name; updates need its signature and a newer version", "[names]") {
  MemoryStore store;
  Registry registry(store);
  const auto owner = generate_signing_key(), stranger = generate_signing_key();

  CHECK(registry.put(record(owner, 1), kNow) == Verdict::accepted);
  CHECK(registry.put(record(owner, 2), kNow) == Verdict::accepted);
  CHECK(registry.put(record(owner, 2), kNow) == Verdict::stale_version);
  CHECK(registry.put(record(owner, 1), kNow) == Verdict::stale_version);  // a replay
  CHECK(registry.put(record(stranger, 9), kNow) == Verdict::wrong_owner);
  CHECK(store.records.at("phone.example").version == 2);  // unchanged by the refusals

  auto tampered = record(owner, 3);
  tampered.addresses = {"10.6.6.6:7000"};
  CHECK(registry.put(tampered, kNow) == Verdict::bad_signature);
  CHECK(registry.put(record(owner, 3, kNow - 1), kNow) == Verdict::expired);
  CHECK(registry.get("phone.example", kNow)->version == 2);
}

TEST_CASE("an expired record is not served, but its name stays with its owner", "[names]") {
  MemoryStore store;
  Registry registry(store);
  const auto owner = generate_signing_key(), stranger = generate_signing_key();
  REQUIRE(registry.put(record(owner, 1, kNow + 10), kNow) == Verdict::accepted);
  CHECK_FALSE(registry.get("phone.example", kNow + 20).has_value());
  CHECK(registry.put(record(stranger, 5, kNow + 100), kNow + 20) == Verdict::wrong_owner);
  CHECK(registry.put(record(owner, 2, kNow + 100), kNow + 20) == Verdict::accepted);
}

TEST_CASE("deleting needs the owner's signature and a newer version", "[names]") {
  MemoryStore store;
  Registry registry(store);
  const auto owner = generate_signing_key(), stranger = generate_signing_key();
  CHECK(registry.erase(record(owner, 1), kNow) == Verdict::unknown_name);
  REQUIRE(registry.put(record(owner, 1), kNow) == Verdict::accepted);
  CHECK(registry.erase(record(stranger, 2), kNow) == Verdict::wrong_owner);
  CHECK(registry.erase(record(owner, 1), kNow) == Verdict::stale_version);
  CHECK(registry.erase(record(owner, 2), kNow) == Verdict::accepted);
  CHECK_FALSE(registry.get("phone.example", kNow).has_value());
}
