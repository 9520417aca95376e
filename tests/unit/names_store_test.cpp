#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "names/log_file.hpp"
#include "names/log_store.hpp"
#include "names_await.hpp"
#include "temp_dir.hpp"

using namespace msocket::names;
namespace asio = boost::asio;
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

StoredName live(Record r) { return {std::move(r), false}; }
StoredName tombstone(Record r) { return {std::move(r), true}; }

// A LogStore and the io_context its writes run on (destroyed after it).
struct OpenStore {
  explicit OpenStore(const fs::path& dir) : store(std::move(LogStore::open(dir).value())) {}
  boost::system::error_code write(StoredName entry) { return await_in(context, store->write(std::move(entry))); }
  asio::io_context context;
  std::unique_ptr<LogStore> store;
};

}  // namespace

TEST_CASE("log store keeps records and tombstones across reopen", "[names]") {
  TempDir dir("store");
  const auto key = generate_signing_key();
  {
    OpenStore s(dir.path);
    CHECK_FALSE(s.write(live(record(key, "a", 1))));
    CHECK_FALSE(s.write(live(record(key, "b", 1))));
    CHECK_FALSE(s.write(live(record(key, "a", 2))));
    CHECK_FALSE(s.write(tombstone(record(key, "b", 2))));
    CHECK(s.store->get("b") == tombstone(record(key, "b", 2)));
  }
  OpenStore s(dir.path);
  CHECK(s.store->size() == 2);
  CHECK(s.store->get("a") == live(record(key, "a", 2)));
  CHECK(s.store->get("b") == tombstone(record(key, "b", 2)));
}

TEST_CASE("a write is seen by latest() at once and by get() once durable", "[names]") {
  TempDir dir("store");
  const auto key = generate_signing_key();
  OpenStore s(dir.path);
  auto writing = s.store->write(live(record(key, "a", 1)));
  bool done = false;
  asio::co_spawn(s.context, std::move(writing), [&](std::exception_ptr, boost::system::error_code) { done = true; });
  s.context.poll_one();  // the write starts and waits for the disk
  CHECK(s.store->latest("a") == live(record(key, "a", 1)));
  CHECK_FALSE(s.store->get("a").has_value());
  while (!done) s.context.run_one();
  CHECK(s.store->get("a") == live(record(key, "a", 1)));
}

TEST_CASE("a torn last line is dropped, damage before it is an error", "[names]") {
  TempDir dir("store");
  const auto key = generate_signing_key();
  {
    OpenStore s(dir.path);
    CHECK_FALSE(s.write(live(record(key, "a", 1))));
    CHECK_FALSE(s.write(live(record(key, "a", 2))));
  }
  {
    std::ofstream log(dir.path / "log.jsonl", std::ios::app);
    log << "{\"put\":{\"name\":\"a\",\"vers";  // a crash in the middle of a write
  }
  {
    OpenStore s(dir.path);
    CHECK(s.store->get("a")->record.version == 2);
    CHECK_FALSE(s.write(live(record(key, "a", 3))));  // appends cleanly after the tear
  }
  {
    OpenStore reopened(dir.path);
    CHECK(reopened.store->get("a")->record.version == 3);
  }
  {
    std::ofstream log(dir.path / "log.jsonl", std::ios::trunc);
    log << "garbage\n" << "{\"erase\":\"a\"}\n";
  }
  auto damaged = LogStore::open(dir.path);
  REQUIRE_FALSE(damaged.has_value());
  CHECK(damaged.error() == msocket::errc::bad_frame);
}

TEST_CASE("an older store's erase line becomes a tombstone of the last record", "[names]") {
  TempDir dir("store");
  const auto key = generate_signing_key();
  {
    std::ofstream log(dir.path / "log.jsonl");
    log << entry_line(live(record(key, "old", 4))) << "{\"erase\":\"old\"}\n";
  }
  OpenStore s(dir.path);
  CHECK(s.store->get("old") == tombstone(record(key, "old", 4)));
}

TEST_CASE("compaction keeps every name's newest entry, tombstones too", "[names]") {
  TempDir dir("store");
  const auto key = generate_signing_key();
  {
    OpenStore s(dir.path);
    CHECK_FALSE(s.write(tombstone(record(key, "gone", 9))));
    for (std::uint64_t v = 1; v <= 1500; ++v) CHECK_FALSE(s.write(live(record(key, "busy", v))));
  }
  // The log was compacted on the way: far fewer lines than updates.
  std::ifstream log(dir.path / "log.jsonl");
  const auto lines = std::count(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>(), '\n');
  CHECK(lines < 1100);
  OpenStore s(dir.path);
  CHECK(s.store->size() == 2);
  CHECK(s.store->get("busy")->record.version == 1500);
  CHECK(s.store->get("gone") == tombstone(record(key, "gone", 9)));
}

// How few syncs they share depends on the disk's speed; names_group_commit_test.cpp
// shows the grouping itself, deterministically.
TEST_CASE("updates written at once are all made durable", "[names]") {
  TempDir dir("store");
  const auto key = generate_signing_key();
  OpenStore s(dir.path);
  constexpr int kWrites = 200;
  int done = 0, failed = 0;
  for (int i = 0; i < kWrites; ++i) {
    auto writing = s.store->write(live(record(key, "n" + std::to_string(i), 1)));
    asio::co_spawn(s.context, std::move(writing), [&](std::exception_ptr, boost::system::error_code ec) {
      ++done;
      failed += ec ? 1 : 0;
    });
  }
  while (done < kWrites) s.context.run_one();
  CHECK(failed == 0);
  CHECK(s.store->writes_committed() == kWrites);
  CHECK(s.store->syncs() >= 1);
  CHECK(s.store->syncs() <= kWrites);
  CHECK(s.store->size() == kWrites);
}

TEST_CASE("log store lists the durable entries under a prefix, in name order", "[names]") {
  TempDir dir("store-list");
  const auto key = generate_signing_key();
  OpenStore s(dir.path);
  for (const char* name : {"pool.b", "pool", "pool.a", "poolx", "other", "pool.c"})
    REQUIRE_FALSE(s.write(live(record(key, name, 1))));
  REQUIRE_FALSE(s.write(tombstone(record(key, "pool.c", 2))));

  const auto listed = s.store->list("pool.", 10);
  const std::vector<StoredName> expected{live(record(key, "pool.a", 1)), live(record(key, "pool.b", 1)),
                                         tombstone(record(key, "pool.c", 2))};
  CHECK(listed == expected);  // tombstones too: the registry leaves them out
  CHECK(s.store->list("pool.", 2) == std::vector<StoredName>(expected.begin(), expected.begin() + 2));
  CHECK(s.store->list("pool", 10).size() == 5);
  CHECK(s.store->list("pool.", 0).empty());
  CHECK(s.store->list("q", 10).empty());
  CHECK(s.store->list("", 10).size() == 6);  // an empty prefix: every name
}
