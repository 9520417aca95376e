// Scheduler: the registry, the next_ranges contract (chunks, budget,
// window), and each policy's decisions, driven by hand with a fake clock.
#include <catch2/catch.hpp>

#include "sched/scheduler.hpp"
#include "sched_epoch.hpp"

namespace msocket::sched {
namespace {

using namespace std::chrono_literals;

const PathId fast{1}, slow{2};
constexpr std::uint64_t kChunk = 32 * 1024;

std::unique_ptr<Scheduler> make(std::string_view policy, std::uint64_t stream, std::uint64_t window,
                                Config config = {}) {
  auto s = make_scheduler(policy, std::move(config));
  REQUIRE(s);
  auto scheduler = std::move(*s);
  scheduler->path_up(fast, 20ms);
  scheduler->path_up(slow, 200ms);
  scheduler->on_write(stream);
  scheduler->on_ack(0, window);
  return scheduler;
}

std::uint64_t total(const std::vector<ByteRange>& ranges) {
  std::uint64_t sum = 0;
  for (const auto& r : ranges) sum += r.size();
  return sum;
}

}  // namespace

TEST_CASE("Scheduler: policies are created by name", "[sched]") {
  for (auto name : policy_names()) {
    auto s = make_scheduler(name);
    REQUIRE(s);
    CHECK((*s)->policy_name() == name);
  }
  CHECK(policy_names().size() == 5);
  auto unknown = make_scheduler("fastest-first");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error() == boost::system::errc::invalid_argument);
}

TEST_CASE("Scheduler: ranges are chunks within the budget and the window, new bytes in order", "[sched]") {
  for (auto name : policy_names()) {
    CAPTURE(name);
    auto s = make(name, 10 << 20, 100'000);
    CHECK(s->next_ranges(PathId{7}, 1 << 20, t0).empty());  // not up
    CHECK(s->next_ranges(fast, 0, t0).empty());
    // rr hands out one chunk per call: ask until the path gets nothing.
    std::vector<ByteRange> ranges;
    for (auto more = s->next_ranges(fast, 1 << 20, t0); !more.empty();
         more = s->next_ranges(fast, 1 << 20, t0)) {
      ranges.insert(ranges.end(), more.begin(), more.end());
    }
    REQUIRE_FALSE(ranges.empty());
    std::uint64_t expected_begin = 0;
    for (const auto& r : ranges) {
      CHECK(r.begin == expected_begin);
      CHECK(r.size() <= kChunk);
      expected_begin = r.end;
    }
    CHECK(expected_begin == 100'000);  // s - a <= b
    CHECK(s->ledger().next_new() == 100'000);
    s->on_ack(50'000, 150'000);
    const auto more = s->next_ranges(fast, 20'000, t0 + 1ms);
    CHECK(total(more) <= 20'000);
  }
}

TEST_CASE("Scheduler: default keeps a slow path's share small near the end", "[sched]") {
  // 256 KiB left: the fast path (20 ms) delivers it all long before the slow
  // one (200 ms) could deliver its first byte.
  auto s = make("default", 256 << 10, 4 << 20);
  CHECK(s->next_ranges(slow, 1 << 20, t0).empty());
  CHECK(total(s->next_ranges(fast, 1 << 20, t0)) == 256 << 10);
}

TEST_CASE("Scheduler: default gives both paths work when there is plenty", "[sched]") {
  auto s = make("default", 64 << 20, 64 << 20);
  CHECK(total(s->next_ranges(slow, 256 << 10, t0)) == 256 << 10);
  CHECK(total(s->next_ranges(fast, 256 << 10, t0)) == 256 << 10);
}

TEST_CASE("Scheduler: default copies what a stalled path holds once nothing new is left", "[sched]") {
  auto made = make_scheduler("default");
  REQUIRE(made);
  auto& s = *made;
  s->path_up(fast, 20ms);
  s->path_up(slow, 40ms);
  s->on_write(300'000);
  s->on_ack(0, 4 << 20);
  // Each takes its share (what it can deliver by the time both finish).
  std::uint64_t on_slow = 0, on_fast = 0;
  for (int round = 0; round < 4 && !s->ledger().all_sent(); ++round) {
    const auto slow_ranges = s->next_ranges(slow, 64 << 10, t0);
    if (round == 0) REQUIRE((!slow_ranges.empty() && slow_ranges.front().begin == 0));
    on_slow += total(slow_ranges);
    on_fast += total(s->next_ranges(fast, 1 << 20, t0));
  }
  REQUIRE(s->ledger().all_sent());
  REQUIRE(on_slow < on_fast);
  // The fast path delivers all it was given; the slow one stays silent.
  s->on_delivered(fast, on_fast, t0 + 30ms);
  CHECK(s->next_ranges(fast, 1 << 20, t0 + 31ms).empty());  // the slow path is on time
  // Long after the slow path should have answered, the fast path copies
  // its bytes, lowest first, once.
  const TimePoint later = t0 + 300ms;
  const auto copies = s->next_ranges(fast, 1 << 20, later);
  REQUIRE_FALSE(copies.empty());
  CHECK(copies.front().begin == 0);
  CHECK(total(copies) == on_slow);
  CHECK(s->next_ranges(fast, 1 << 20, later + 1ms).empty());
  CHECK(s->next_deadline(later) <= later + 10ms);  // the stalled path is watched
}

TEST_CASE("Scheduler: default keeps a path whose round trip exceeds the window's off it", "[sched]") {
  // 200 kB lasts ~15 ms at the paths' guessed rates; the slow path's bytes
  // would hold it for 200 ms.
  auto s = make("default", 10 << 20, 200'000);
  CHECK(s->next_ranges(slow, 64 << 10, t0).empty());
  CHECK(total(s->next_ranges(fast, 1 << 20, t0)) == 200'000);
}

TEST_CASE("Scheduler: a failed path's bytes go first on another path", "[sched]") {
  for (auto name : {"default", "rr", "backup", "prefer"}) {
    CAPTURE(name);
    auto s = make(name, 10 << 20, 10 << 20);
    const auto on_fast = s->next_ranges(fast, 64 << 10, t0);
    REQUIRE_FALSE(on_fast.empty());
    s->path_down(fast);
    CHECK(s->ledger().lost() == std::vector<ByteRange>{{0, total(on_fast)}});
    const auto resent = s->next_ranges(slow, kChunk, t0 + 1ms);
    REQUIRE_FALSE(resent.empty());
    CHECK(resent.front().begin == 0);
  }
}

TEST_CASE("Scheduler: rr hands out one chunk per request and never copies", "[sched]") {
  auto s = make("rr", 10 << 20, 96 << 10);
  CHECK(s->next_ranges(slow, 1 << 20, t0) == std::vector<ByteRange>{{0, kChunk}});
  CHECK(s->next_ranges(fast, 1 << 20, t0) == std::vector<ByteRange>{{kChunk, 2 * kChunk}});
  CHECK(total(s->next_ranges(fast, 1 << 20, t0)) == kChunk);
  // The window is full and the slow path silent for seconds: rr waits.
  CHECK(s->next_ranges(fast, 1 << 20, t0 + 10s).empty());
}

TEST_CASE("Scheduler: redundant sends every range on every path", "[sched]") {
  auto s = make("redundant", 100'000, 10 << 20);
  const auto first = s->next_ranges(fast, 1 << 20, t0);
  CHECK(total(first) == 100'000);
  CHECK(s->next_ranges(slow, 1 << 20, t0) == first);
  // What the peer acked is skipped by a path that has not sent it yet.
  auto late = make("redundant", 100'000, 10 << 20);
  late->next_ranges(fast, 1 << 20, t0);
  late->on_ack(60'000, 10 << 20);
  const auto rest = late->next_ranges(slow, 1 << 20, t0);
  REQUIRE_FALSE(rest.empty());
  CHECK(rest.front().begin == 60'000);
  CHECK(total(rest) == 40'000);
}

TEST_CASE("Scheduler: backup keeps the second path idle, the preference can be set", "[sched]") {
  auto s = make("backup", 10 << 20, 10 << 20);
  CHECK(s->next_ranges(slow, 1 << 20, t0).empty());
  CHECK_FALSE(s->next_ranges(fast, 1 << 20, t0).empty());
  Config config;
  config.preference = {slow};
  auto preferring_slow = make("backup", 10 << 20, 10 << 20, config);
  CHECK(preferring_slow->next_ranges(fast, 1 << 20, t0).empty());
  CHECK_FALSE(preferring_slow->next_ranges(slow, 1 << 20, t0).empty());
}

TEST_CASE("Scheduler: prefer moves to the next path while the preferred one is stalled", "[sched]") {
  auto s = make("prefer", 10 << 20, 10 << 20);
  REQUIRE_FALSE(s->next_ranges(fast, 64 << 10, t0).empty());
  CHECK(s->next_ranges(slow, 64 << 10, t0 + 10ms).empty());
  // The fast path has delivered nothing for far more than its RTT.
  const TimePoint later = t0 + 500ms;
  REQUIRE(s->estimate(fast)->stalled(later));
  const auto taken = s->next_ranges(slow, 1 << 20, later);
  REQUIRE_FALSE(taken.empty());
  CHECK(taken.back().end > (64 << 10));  // new bytes, not only copies
}

TEST_CASE("Scheduler: a backup path is idle while a regular path moves, whatever the policy", "[sched]") {
  for (auto name : {"default", "rr", "redundant"}) {
    INFO(name);
    auto s = make_scheduler(name);
    REQUIRE(s);
    auto& scheduler = **s;
    scheduler.path_up(slow, 200ms, PathPriority::backup);
    scheduler.on_write(10 << 20);
    scheduler.on_ack(0, 10 << 20);
    // Alone, the backup carries the stream.
    REQUIRE_FALSE(scheduler.next_ranges(slow, 64 << 10, t0).empty());
    scheduler.path_up(fast, 20ms);
    CHECK(scheduler.next_ranges(slow, 1 << 20, t0).empty());
    CHECK_FALSE(scheduler.next_ranges(fast, 64 << 10, t0).empty());
    // Stalled for a while (a queue's hiccup) is not failed...
    const TimePoint stalled = t0 + 100ms;
    REQUIRE(scheduler.estimate(fast)->stalled(stalled));
    CHECK(scheduler.next_ranges(slow, 1 << 20, stalled).empty());
    // ...but silent for 4 RTTs and at least 200 ms is: the backup is used again.
    const TimePoint later = t0 + 500ms;
    REQUIRE(scheduler.estimate(fast)->failing(later));
    CHECK_FALSE(scheduler.next_ranges(slow, 1 << 20, later).empty());
  }
}

TEST_CASE("Scheduler: next_deadline is the moment a path holding bytes would stall", "[sched]") {
  auto s = make("default", 10 << 20, 10 << 20);
  CHECK(s->next_deadline(t0) == TimePoint::max());
  s->next_ranges(fast, 64 << 10, t0);
  // One RTT for the first delivery, then the stall threshold (one RTT).
  CHECK(s->next_deadline(t0) == t0 + 40ms);
}

TEST_CASE("Scheduler: default keeps a path's TCP supplied up to its congestion window", "[sched]") {
  // The paper's LTE path, measured at 1 MB/s while its TCP is in slow start:
  // the cap of 2 RTTs at that rate is 290 kB. A TCP whose window is already
  // 2 MiB must not run dry at 290 kB: it would count itself
  // application-limited and not leave its startup (§4.7).
  auto made = make_scheduler("default");
  REQUIRE(made);
  auto& s = **made;
  const PathId wifi{1}, lte{2};
  s.path_up(wifi, 80ms);
  s.path_up(lte, 145ms);
  s.on_write(64 << 20);
  s.on_ack(0, 64 << 20);
  auto fill = [&](PathId path, TimePoint now) {
    std::uint64_t taken = 0;
    for (auto more = s.next_ranges(path, 1 << 20, now); !more.empty(); more = s.next_ranges(path, 1 << 20, now))
      taken += total(more);
    return taken;
  };
  fill(lte, t0);
  s.on_delivered(lte, 10'000, t0 + 150ms);
  s.on_delivered(lte, 80'000, t0 + 230ms);  // 80 kB in 80 ms: 1 MB/s
  REQUIRE(s.estimate(lte)->rate(t0 + 230ms) == Approx(1e6));
  CHECK(fill(lte, t0 + 230ms) == 0);  // it holds more than 290 kB already
  s.on_congestion_window(lte, 2 << 20);
  CHECK(fill(lte, t0 + 231ms) > 0);
  // The window, and half an RTT at the rate beyond it.
  CHECK(s.estimate(lte)->in_flight() == Approx((2 << 20) + 72'500).margin(1));
  // A path that has gone silent is not trusted with its last window.
  s.on_congestion_window(wifi, 4 << 20);
  fill(wifi, t0 + 231ms);
  CHECK(fill(wifi, t0 + 800ms) == 0);
}

TEST_CASE("Scheduler: default gives a fresh TCP joining late what it can deliver in time, no more", "[sched]") {
  // 1 MiB over WiFi and LTE; WiFi has delivered for 140 ms and is measured
  // at 2 MB/s, LTE comes up then, its TCP with 10 segments of window. At
  // the warm-up guess (256 KiB per RTT) LTE took a share it would deliver
  // in several of its RTTs of slow start: the transfer's last bytes. Its
  // window per RTT is what it delivers (§4.7).
  auto lte_share = [](std::optional<std::uint64_t> lte_window) {
    auto made = make_scheduler("default");
    REQUIRE(made);
    auto& s = **made;
    const PathId wifi{1}, lte{2};
    s.path_up(wifi, 80ms);
    s.on_write(1 << 20);
    s.on_ack(0, 8 << 20);
    s.next_ranges(wifi, 400'000, t0);
    s.on_delivered(wifi, 100'000, t0 + 100ms);
    s.on_delivered(wifi, 80'000, t0 + 140ms);  // 80 kB in 40 ms: 2 MB/s
    s.path_up(lte, 145ms);
    if (lte_window) s.on_congestion_window(lte, *lte_window);
    return total(s.next_ranges(lte, 1 << 20, t0 + 140ms));
  };
  const std::uint64_t at_guess = lte_share(std::nullopt), with_window = lte_share(14'480);
  CAPTURE(at_guess, with_window);
  CHECK(with_window <= 48 << 10);
  CHECK(with_window * 4 < at_guess);
}

}  // namespace msocket::sched
