#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "names/record.hpp"

using namespace msocket::names;
namespace json = boost::json;

namespace {

Record sample(const SigningKey& key) {
  Record r;
  r.name = "laptop.example";
  r.addresses = {"10.0.0.7:7000", "[2001:db8::7]:7000"};
  r.control = "10.0.0.7:7001";
  r.version = 42;
  r.expires = 1'900'000'000;
  sign(r, key);
  return r;
}

}  // namespace

TEST_CASE("a signed record verifies, any changed field breaks the signature", "[names]") {
  const auto key = generate_signing_key();
  const auto good = sample(key);
  CHECK(verify(good));
  CHECK(good.owner == key.public_key);

  auto changed = good;
  changed.name = "laptop.example2";
  CHECK_FALSE(verify(changed));
  changed = good;
  changed.addresses[0] = "10.0.0.8:7000";
  CHECK_FALSE(verify(changed));
  changed = good;
  changed.addresses.pop_back();
  CHECK_FALSE(verify(changed));
  changed = good;
  changed.control = "";
  CHECK_FALSE(verify(changed));
  changed = good;
  changed.version = 43;
  CHECK_FALSE(verify(changed));
  changed = good;
  changed.expires += 1;
  CHECK_FALSE(verify(changed));
  changed = good;
  changed.load = 1;
  CHECK_FALSE(verify(changed));
  changed = good;
  changed.owner = generate_signing_key().public_key;  // someone else claims it
  CHECK_FALSE(verify(changed));
}

TEST_CASE("a load is signed and kept, and a record without one signs as before loads existed", "[names]") {
  const auto key = generate_signing_key();
  auto loaded = sample(key);
  const auto unloaded_bytes = signing_bytes(loaded);
  loaded.load = 250;
  sign(loaded, key);
  CHECK(signing_bytes(loaded) != unloaded_bytes);
  CHECK(signing_bytes(loaded).starts_with(unloaded_bytes.substr(0, unloaded_bytes.size() - 32)));
  auto back = from_json(json::parse(json::serialize(to_json(loaded))));
  REQUIRE(back.has_value());
  CHECK(back->load == 250);
  CHECK(verify(*back));
  auto dropped = *back;
  dropped.load = 0;  // a relay's load taken away in transit
  CHECK_FALSE(verify(dropped));
  CHECK_FALSE(to_json(sample(key)).as_object().contains("load"));
}

TEST_CASE("signing bytes keep field boundaries", "[names]") {
  // Moving a character between two fields must change what is signed.
  Record a, b;
  a.name = "ab";
  a.addresses = {"1.2.3.4:5"};
  b.name = "a";
  b.addresses = {"b1.2.3.4:5"};
  CHECK(signing_bytes(a) != signing_bytes(b));
}

TEST_CASE("JSON round trip keeps the record and its signature", "[names]") {
  const auto key = generate_signing_key();
  const auto r = sample(key);
  const auto text = json::serialize(to_json(r));
  auto back = from_json(json::parse(text));
  REQUIRE(back.has_value());
  CHECK(*back == r);
  CHECK(verify(*back));
}

TEST_CASE("a hand-written record parses", "[names]") {
  const std::string zeros32 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";  // 32 zero bytes
  const std::string zeros64 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==";
  const std::string text = R"({"name":"srv","addresses":["192.0.2.1:80"],"control":"","version":1,"expires":5,"owner":")" +
                           zeros32 + R"(","signature":")" + zeros64 + R"("})";
  auto r = from_json(json::parse(text));
  REQUIRE(r.has_value());
  CHECK(r->name == "srv");
  CHECK(r->addresses == std::vector<std::string>{"192.0.2.1:80"});
  CHECK(r->version == 1);
  CHECK(r->expires == 5);
  CHECK_FALSE(verify(*r));  // an all-zero signature is no signature
}

TEST_CASE("malformed records are refused", "[names]") {
  const auto key = generate_signing_key();
  const auto good = to_json(sample(key)).as_object();
  auto with = [&](const char* field, json::value v) {
    auto o = good;
    o[field] = std::move(v);
    return from_json(o);
  };
  auto without = [&](const char* field) {
    auto o = good;
    o.erase(field);
    return from_json(o);
  };
  CHECK_FALSE(from_json(json::value(42)).has_value());
  for (const char* field : {"name", "addresses", "version", "expires", "owner", "signature"})
    CHECK_FALSE(without(field).has_value());
  CHECK_FALSE(with("name", "").has_value());
  CHECK_FALSE(with("name", "has space").has_value());
  CHECK_FALSE(with("name", json::string(std::string(254, 'a'))).has_value());
  CHECK_FALSE(with("addresses", json::array{"10.0.0.1"}).has_value());
  CHECK_FALSE(with("addresses", json::array{"10.0.0.1:0"}).has_value());
  CHECK_FALSE(with("addresses", json::array{"10.0.0.1:70000"}).has_value());
  CHECK_FALSE(with("addresses", json::array{"host.example:80"}).has_value());
  CHECK_FALSE(with("addresses", json::array{"2001:db8::1:80"}).has_value());  // v6 needs brackets
  CHECK_FALSE(with("addresses", json::array{1}).has_value());
  json::array many;
  for (int i = 0; i < 17; ++i) many.emplace_back("10.0.0.1:" + std::to_string(1000 + i));
  CHECK_FALSE(with("addresses", many).has_value());
  CHECK_FALSE(with("control", "nonsense").has_value());
  CHECK_FALSE(with("version", -1).has_value());
  CHECK_FALSE(with("version", "1").has_value());
  CHECK_FALSE(with("load", 1001).has_value());
  CHECK_FALSE(with("load", -1).has_value());
  CHECK_FALSE(with("load", "5").has_value());
  CHECK(with("load", 1000).has_value());
  CHECK_FALSE(with("owner", "not base64!").has_value());
  CHECK_FALSE(with("owner", json::string(to_base64(std::vector<std::byte>(31)))).has_value());
  CHECK_FALSE(with("signature", json::string(to_base64(std::vector<std::byte>(65)))).has_value());
}

TEST_CASE("addresses: IPv4 literal or bracketed IPv6, and a port", "[names]") {
  CHECK(valid_address("127.0.0.1:1"));
  CHECK(valid_address("[::1]:65535"));
  CHECK_FALSE(valid_address(":80"));
  CHECK_FALSE(valid_address("127.0.0.1:"));
  CHECK_FALSE(valid_address("[127.0.0.1]:80"));
  CHECK_FALSE(valid_address("127.0.0.1:+80"));
}
