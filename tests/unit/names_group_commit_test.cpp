#include <condition_variable>
#include <mutex>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "names/group_commit.hpp"
#include "names_await.hpp"

using namespace msocket::names;
namespace asio = boost::asio;
using error_code = boost::system::error_code;

namespace {

StoredName entry(int i) {
  StoredName e;
  e.record.name = "n" + std::to_string(i);
  e.record.version = static_cast<std::uint64_t>(i);
  return e;
}

// A persist function whose first call waits until release(): meanwhile the
// test queues more, as updates arrive while a slow fdatasync runs.
struct SlowDisk {
  error_code persist(std::span<const StoredName> group) {
    std::unique_lock lock(mutex);
    released.wait(lock, [&] { return open; });
    groups.push_back(group.size());
    for (const auto& e : group) order.push_back(e.record.name);
    return failure;
  }
  void release() {
    {
      std::lock_guard lock(mutex);
      open = true;
    }
    released.notify_all();
  }
  std::mutex mutex;
  std::condition_variable released;
  bool open = false;
  error_code failure;
  std::vector<std::size_t> groups;
  std::vector<std::string> order;
};

// A committer over a SlowDisk, and the io_context its callers run on.
struct Committing {
  Committing() { committer.emplace([this](std::span<const StoredName> group) { return disk.persist(group); }); }
  // Spawns `count` commits; `done` counts those finished, `errors` those failed.
  void spawn(int count) {
    for (int i = 0; i < count; ++i) {
      auto committing = committer->commit(entry(i));
      asio::co_spawn(context, std::move(committing), [this](std::exception_ptr, error_code ec) {
        ++done;
        errors += ec ? 1 : 0;
      });
    }
  }
  void run_until_done(int count) {
    while (done < count) context.run_one();
  }
  asio::io_context context;
  SlowDisk disk;
  std::optional<GroupCommitter> committer;
  int done = 0, errors = 0;
};

}  // namespace

TEST_CASE("commits that arrive during a sync share the next one, in order", "[names]") {
  Committing c;
  c.spawn(50);
  c.context.poll();  // all 50 are queued; the committer holds at most the first ones
  CHECK(c.done == 0);  // nobody is answered before the disk says so
  c.disk.release();
  c.run_until_done(50);
  CHECK(c.errors == 0);
  CHECK(c.committer->writes() == 50);
  CHECK(c.committer->groups() <= 2);  // one sync for the early ones, one for all that queued behind
  REQUIRE(c.disk.order.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(c.disk.order[static_cast<std::size_t>(i)] == "n" + std::to_string(i));
}

TEST_CASE("a failed sync fails every commit of its group", "[names]") {
  Committing c;
  c.disk.failure = error_code(ENOSPC, boost::system::system_category());
  c.disk.release();
  c.spawn(5);
  c.run_until_done(5);
  CHECK(c.errors == 5);
  CHECK(c.committer->writes() == 0);
}

TEST_CASE("the committer persists what is queued before it stops", "[names]") {
  Committing c;
  c.spawn(10);
  c.context.poll();
  c.disk.release();
  c.committer.reset();  // destroyed with commits queued: they are persisted all the same
  CHECK(c.disk.order.size() == 10);
}
