#include "names/names_watch.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "testbed/interruption.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

// Time for a watcher that has just received a change to send its next
// watch: on loopback a fraction of a millisecond, so 3 ms leaves room for
// a busy machine without slowing the measurement much.
constexpr auto kRearmTime = 3ms;
constexpr auto kSeenDeadline = 5s;

// A long-poll watcher on its own thread and io_context: it notes when each
// new version of the name reaches it.
class WatcherThread {
 public:
  WatcherThread(names::ServerUrl server, std::string name, std::uint64_t after)
      : client_(context_.get_executor(), std::move(server)) {
    asio::co_spawn(context_, follow(std::move(name), after), [this](std::exception_ptr e) {
      if (!e) return;
      std::lock_guard lock(mutex_);
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& error) {
        failure_ = std::string("the watcher failed: ") + error.what();
      }
    });
    thread_ = std::thread([this] { context_.run(); });
  }
  ~WatcherThread() {
    asio::post(context_, [this] {
      stopping_ = true;
      client_.cancel();
    });
    thread_.join();
  }
  WatcherThread(const WatcherThread&) = delete;
  WatcherThread& operator=(const WatcherThread&) = delete;

  std::optional<SteadyClock::time_point> seen(std::uint64_t version) {
    std::lock_guard lock(mutex_);
    const auto it = seen_.find(version);
    if (it == seen_.end()) return std::nullopt;
    return it->second;
  }
  std::optional<std::string> failure() {
    std::lock_guard lock(mutex_);
    return failure_;
  }

 private:
  asio::awaitable<void> follow(std::string name, std::uint64_t after) {
    for (;;) {
      auto event = co_await client_.watch(name, after);
      const auto now = SteadyClock::now();
      std::lock_guard lock(mutex_);
      if (!event) {
        if (!stopping_) failure_ = "watch of " + name + " failed: " + event.error().message();
        co_return;
      }
      if (event->kind == names::WatchEvent::Kind::deleted) {
        failure_ = "watch of " + name + ": the name was deleted";
        co_return;
      }
      if (event->kind == names::WatchEvent::Kind::changed) {
        after = event->record->version;
        seen_.emplace(after, now);
      }
    }
  }

  asio::io_context context_;
  names::Client client_;
  std::mutex mutex_;
  std::map<std::uint64_t, SteadyClock::time_point> seen_;  // guarded by mutex_
  std::optional<std::string> failure_;                    // guarded by mutex_
  bool stopping_ = false;  // used on the watcher's thread only
  std::thread thread_;
};

// Waits (polling each millisecond) until the watcher has `version`.
asio::awaitable<SteadyClock::time_point> seen_by(WatcherThread& watcher, std::uint64_t version) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = SteadyClock::now() + kSeenDeadline;
  for (;;) {
    if (auto at = watcher.seen(version)) co_return *at;
    if (auto failure = watcher.failure()) throw std::runtime_error(*failure);
    if (testbed::interrupted()) throw std::runtime_error("interrupted");
    if (SteadyClock::now() >= deadline)
      throw std::runtime_error("the watcher did not hear of version " + std::to_string(version) + " within 5 s");
    timer.expires_after(1ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

}  // namespace

asio::awaitable<WatchLatencies> measure_watch_latency(names::ServerUrl server, names::ServerUrl watcher_server,
                                                      NameWriter& writer, unsigned rounds) {
  names::Client client(co_await asio::this_coro::executor, server);
  WatcherThread watcher(watcher_server, writer.name(), writer.version());
  co_await writer.put_next(client);  // not timed: connects both, and the watch may not be held yet
  asio::steady_timer pause(co_await asio::this_coro::executor);
  WatchLatencies latencies;
  for (unsigned round = 0; round < rounds; ++round) {
    co_await seen_by(watcher, writer.version());
    pause.expires_after(kRearmTime);
    co_await pause.async_wait(asio::use_awaitable);
    // Timed from the request, not its answer: the watcher often has the
    // record before the writer has its acknowledgement, which would make a
    // latency below zero. So this includes the server's fsync.
    const auto requested = SteadyClock::now();
    co_await writer.put_next(client);
    const auto acknowledged = SteadyClock::now();
    const auto received = co_await seen_by(watcher, writer.version());
    latencies.from_request_ms.push_back(milliseconds_between(requested, received));
    latencies.from_acknowledgement_ms.push_back(std::max(0.0, milliseconds_between(acknowledged, received)));
  }
  co_return latencies;
}

}  // namespace msocket::mbench
