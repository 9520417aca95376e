// Group commit (as databases do it): the store's entries are made durable
// by a thread of their own, a group at a time. While one group's fdatasync
// runs, the entries that arrive queue up and become the next group, so
// under load many updates share one sync and the update rate can exceed
// the disk's sync rate; alone, an update waits for one sync, as before.
// The thread that serves requests only queues and is woken: it never waits
// for the disk.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "names/store.hpp"

namespace msocket::names {

class GroupCommitter {
 public:
  // Runs on the committer's thread with the entries queued since its last
  // call, in the order they were queued (at most `max_group` of them); its
  // error is each entry's.
  using Persist = std::function<boost::system::error_code(std::span<const StoredName>)>;

  explicit GroupCommitter(Persist persist, std::size_t max_group = 4096);
  // Persists what is queued, then stops the thread. The executors of the
  // commits still waiting must be alive (their io_context not destroyed).
  ~GroupCommitter();
  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Queues `entry` and suspends until the group it joined is persisted; on
  // the caller's executor, which must be one thread or a strand. Returns
  // persist's error for that group.
  boost::asio::awaitable<boost::system::error_code> commit(StoredName entry);

  std::uint64_t writes() const { return writes_; }  // entries persisted
  std::uint64_t groups() const { return groups_; }  // persist calls that succeeded

  struct Waiter;

 private:
  void run();

  Persist persist_;
  std::size_t max_group_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<StoredName> queued_;                 // under mutex_
  std::vector<std::shared_ptr<Waiter>> waiters_;   // under mutex_, one per queued entry
  bool stopping_ = false;                          // under mutex_
  std::atomic<std::uint64_t> writes_{0}, groups_{0};
  std::thread thread_;  // last: starts once the rest is built
};

}  // namespace msocket::names
