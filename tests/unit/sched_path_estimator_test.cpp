// PathEstimator: RTT smoothing, the warm-up guess, delivery-rate samples,
// app-limited samples, stall scaling. Fake clock: a TimePoint we move.
#include <catch2/catch.hpp>

#include "sched/path_estimator.hpp"
#include "sched_epoch.hpp"

namespace msocket::sched {
namespace {

using namespace std::chrono_literals;

// Delivers `bytes` every `gap` from `from` on, `count` times. With
// `app_limited`, the path is marked before each, as the Scheduler does at
// each decision that leaves it less than it could take.
void deliver_steadily(PathEstimator& e, TimePoint from, Duration gap, std::uint64_t bytes, int count,
                      bool app_limited = false) {
  for (int i = 0; i < count; ++i) {
    if (app_limited) e.mark_app_limited();
    e.on_delivered(bytes, from + gap * i);
  }
}

}  // namespace

TEST_CASE("PathEstimator: RTT smoothed as TCP does, the first sample taken whole", "[sched]") {
  Config config;
  PathEstimator e(config);
  CHECK(e.srtt() == config.initial_rtt);
  e.on_rtt_sample(80ms);
  CHECK(e.srtt() == 80ms);
  e.on_rtt_sample(160ms);
  CHECK(e.srtt() == 90ms);  // 7/8 * 80 + 1/8 * 160
  e.on_rtt_sample(Duration::zero());  // no information: ignored
  CHECK(e.srtt() == 90ms);
  CHECK(e.one_way_delay() == 45ms);
}

TEST_CASE("PathEstimator: before any measurement the rate is proportional to 1/RTT", "[sched]") {
  Config config;
  PathEstimator near(config), far(config);
  near.on_rtt_sample(50ms);
  far.on_rtt_sample(100ms);
  CHECK_FALSE(near.measured());
  CHECK(near.rate(t0) == Approx(config.initial_window / 0.05));
  CHECK(near.rate(t0) == Approx(2 * far.rate(t0)));
}

TEST_CASE("PathEstimator: a busy path's rate is what it delivers per unit of time", "[sched]") {
  Config config;
  PathEstimator e(config);
  e.on_rtt_sample(100ms);
  e.on_sent(4'000'000, t0);
  // 10 kB every 2 ms is 5 MB/s; a sample needs half an RTT of deliveries.
  deliver_steadily(e, t0 + 100ms, 2ms, 10'000, 20);
  CHECK_FALSE(e.measured());
  deliver_steadily(e, t0 + 140ms, 2ms, 10'000, 10);
  REQUIRE(e.measured());
  CHECK(e.rate(t0 + 160ms) == Approx(5e6).epsilon(0.01));
  CHECK(e.in_flight() == 4'000'000 - 300'000);
}

TEST_CASE("PathEstimator: a collapse is taken whole, an app-limited dip is not", "[sched]") {
  Config config;
  PathEstimator e(config);
  e.on_rtt_sample(100ms);
  e.on_sent(8'000'000, t0);
  deliver_steadily(e, t0 + 100ms, 2ms, 10'000, 60);  // 5 MB/s
  REQUIRE(e.rate(t0 + 220ms) == Approx(5e6).epsilon(0.01));

  SECTION("app-limited: lower samples are ignored") {
    deliver_steadily(e, t0 + 222ms, 10ms, 10'000, 15, true);  // 1 MB/s
    CHECK(e.rate(t0 + 370ms) == Approx(5e6).epsilon(0.01));
  }
  SECTION("busy: a sample below half the estimate replaces it") {
    // The first sample mixes both rates; the next one, all 1 MB/s, is
    // below half of what the estimate has become and replaces it.
    deliver_steadily(e, t0 + 222ms, 10ms, 10'000, 15);
    CHECK(e.rate(t0 + 370ms) == Approx(1e6).epsilon(0.01));
  }
}

TEST_CASE("PathEstimator: a silent path holding bytes looks slower the longer it is silent", "[sched]") {
  Config config;
  PathEstimator e(config);
  e.on_rtt_sample(100ms);
  const double guess = e.rate(t0);
  e.on_sent(100'000, t0);
  // Nothing can come back before one RTT; then the threshold (one RTT).
  REQUIRE(e.stalls_at() == t0 + 200ms);
  CHECK_FALSE(e.stalled(t0 + 200ms));
  CHECK(e.rate(t0 + 200ms) == Approx(guess));
  CHECK(e.stalled(t0 + 201ms));
  CHECK(e.rate(t0 + 300ms) == Approx(guess / 2));  // silent 200 ms, threshold 100 ms
  // A delivery ends the silence; once it holds nothing it cannot stall.
  e.on_delivered(100'000, t0 + 300ms);
  CHECK_FALSE(e.stalled(t0 + 10s));
  CHECK_FALSE(e.stalls_at());
}

}  // namespace msocket::sched
