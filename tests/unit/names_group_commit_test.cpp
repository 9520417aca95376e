#include <condition_variable>
#include <mutex>

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

// Spawns `count` commits on `context`; `done` counts those finished, `errors` those failed.
void spawn_commits(asio::io_context& context, GroupCommitter& committer, int count, int& done, int& errors) {
  for (int i = 0; i < count; ++i) {
    auto committing = committer.commit(entry(i));
    asio::co_spawn(context, std::move(committing), [&](std::exception_ptr, error_code ec) {
      ++done;
      errors += ec ? 1 : 0;
    });
  }
}

}  // namespace

TEST_CASE("commits that arrive during a sync share the next one, in order", "[names]") {
  asio::io_context context;
  SlowDisk disk;
  GroupCommitter committer([&](std::span<const StoredName> group) { return disk.persist(group); });
  int done = 0, errors = 0;
  spawn_commits(context, committer, 50, done, errors);
  context.poll();  // all 50 are queued; the committer holds at most the first ones
  CHECK(done == 0);  // nobody is answered before the disk says so
  disk.release();
  while (done < 50) context.run_one();
  CHECK(errors == 0);
  CHECK(committer.writes() == 50);
  CHECK(committer.groups() <= 2);  // one sync for the early ones, one for all that queued behind
  REQUIRE(disk.order.size() == 50);
  for (int i = 0; i < 50; ++i) CHECK(disk.order[static_cast<std::size_t>(i)] == "n" + std::to_string(i));
}

TEST_CASE("a failed sync fails every commit of its group", "[names]") {
  asio::io_context context;
  SlowDisk disk;
  disk.failure = error_code(ENOSPC, boost::system::system_category());
  disk.release();
  GroupCommitter committer([&](std::span<const StoredName> group) { return disk.persist(group); });
  int done = 0, errors = 0;
  spawn_commits(context, committer, 5, done, errors);
  while (done < 5) context.run_one();
  CHECK(errors == 5);
  CHECK(committer.writes() == 0);
}

TEST_CASE("the committer persists what is queued before it stops", "[names]") {
  asio::io_context context;
  SlowDisk disk;
  {
    GroupCommitter committer([&](std::span<const StoredName> group) { return disk.persist(group); });
    int done = 0, errors = 0;
    spawn_commits(context, committer, 10, done, errors);
    context.poll();
    disk.release();
  }  // destroyed with commits queued: they are persisted all the same
  CHECK(disk.order.size() == 10);
}
