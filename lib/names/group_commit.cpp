#include "names/group_commit.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/coroutine.hpp"

namespace msocket::names {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

// One queued entry's caller: woken on its own executor when its group is done.
struct GroupCommitter::Waiter {
  explicit Waiter(const asio::any_io_executor& executor)
      : timer(executor, asio::steady_timer::time_point::max()) {}
  asio::steady_timer timer;
  error_code result;
  bool done = false;
};

GroupCommitter::GroupCommitter(Persist persist, std::size_t max_group)
    : persist_(std::move(persist)), max_group_(max_group), thread_([this] { run(); }) {}

GroupCommitter::~GroupCommitter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

asio::awaitable<error_code> GroupCommitter::commit(StoredName entry) {
  auto waiter = std::make_shared<Waiter>(co_await asio::this_coro::executor);
  {
    std::lock_guard lock(mutex_);
    queued_.push_back(std::move(entry));
    waiters_.push_back(waiter);
  }
  wake_.notify_one();
  // The wake-up is posted to this executor, so it runs after this wait
  // started (or, on a strand, sets `done` before it).
  while (!waiter->done) co_await waiter->timer.async_wait(use_tuple);
  co_return waiter->result;
}

void GroupCommitter::run() {
  for (;;) {
    std::vector<StoredName> group;
    std::vector<std::shared_ptr<Waiter>> waiters;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queued_.empty(); });
      if (queued_.empty()) return;  // stopping, and all is persisted
      const auto count = std::min(queued_.size(), max_group_);
      group.assign(std::make_move_iterator(queued_.begin()), std::make_move_iterator(queued_.begin() + count));
      waiters.assign(waiters_.begin(), waiters_.begin() + count);
      queued_.erase(queued_.begin(), queued_.begin() + count);
      waiters_.erase(waiters_.begin(), waiters_.begin() + count);
    }
    const auto result = persist_(group);
    if (!result) {
      writes_ += group.size();
      ++groups_;
    }
    for (auto& waiter : waiters) {
      asio::post(waiter->timer.get_executor(), [waiter, result] {
        waiter->result = result;
        waiter->done = true;
        waiter->timer.cancel();
      });
    }
  }
}

}  // namespace msocket::names
