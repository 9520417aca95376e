#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "temp_dir.hpp"

#include "names/store.hpp"

using namespace msocket::names;
namespace fs = std::filesystem;

namespace {

Record record(const SigningKey& key, const std::string& name, std::uint64_t version) {
  Record r;
  r.name = name;
  r.addresses = {"10.0.0." + std::to_string(version % 250 + 1) + ":7000"};
  r.version = version;
  r.expires = 2'000'000'000;
  sign(r, key);
  return r;
}

}  // namespace

TEST_CASE("log store keeps records across reopen", "[names]") {
  TempDir dir("store");
  const auto key = generate_signing_key();
  {
    auto store = LogStore::open(dir.path);
    REQUIRE(store.has_value());
    CHECK_FALSE((*store)->put(record(key, "a", 1)));
    CHECK_FALSE((*store)->put(record(key, "b", 1)));
    CHECK_FALSE((*store)->put(record(key, "a", 2)));
    CHECK_FALSE((*store)->erase("b"));
  }
  auto store = LogStore::open(dir.path);
  REQUIRE(store.has_value());
  CHECK((*store)->size() == 1);
  REQUIRE((*store)->get("a").has_value());
  CHECK((*store)->get("a")->version == 2);
  CHECK((*store)->get("a") == record(key, "a", 2));
  CHECK_FALSE((*store)->get("b").has_value());
}

TEST_CASE("a torn last line is dropped; damage before it is an error", "[names]") {
  TempDir dir("store");
  const auto key = generate_signing_key();
  {
    auto store = LogStore::open(dir.path);
    REQUIRE(store.has_value());
    CHECK_FALSE((*store)->put(record(key, "a", 1)));
    CHECK_FALSE((*store)->put(record(key, "a", 2)));
  }
  {
    std::ofstream log(dir.path / "log.jsonl", std::ios::app);
    log << "{\"put\":{\"name\":\"a\",\"vers";  // a crash in the middle of a write
  }
  {
    auto store = LogStore::open(dir.path);
    REQUIRE(store.has_value());
    CHECK((*store)->get("a")->version == 2);
    CHECK_FALSE((*store)->put(record(key, "a", 3)));  // appends cleanly after the tear
  }
  auto reopened = LogStore::open(dir.path);
  REQUIRE(reopened.has_value());
  CHECK((*reopened)->get("a")->version == 3);

  {
    std::ofstream log(dir.path / "log.jsonl", std::ios::trunc);
    log << "garbage\n" << "{\"erase\":\"a\"}\n";
  }
  auto damaged = LogStore::open(dir.path);
  REQUIRE_FALSE(damaged.has_value());
  CHECK(damaged.error() == msocket::errc::bad_frame);
}

TEST_CASE("compaction keeps only live records", "[names]") {
  TempDir dir("store");
  const auto key = generate_signing_key();
  {
    auto store = LogStore::open(dir.path);
    REQUIRE(store.has_value());
    for (std::uint64_t v = 1; v <= 1500; ++v) CHECK_FALSE((*store)->put(record(key, "busy", v)));
  }
  // The log was compacted on the way: far fewer lines than updates.
  std::ifstream log(dir.path / "log.jsonl");
  const auto lines = std::count(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>(), '\n');
  CHECK(lines < 1100);
  auto store = LogStore::open(dir.path);
  REQUIRE(store.has_value());
  CHECK((*store)->size() == 1);
  CHECK((*store)->get("busy")->version == 1500);
}
