// Arrival estimates: idle and busy paths, the inverse, stalled paths.
#include <catch2/catch.hpp>

#include "sched/arrival.hpp"
#include "sched_epoch.hpp"

namespace msocket::sched {
namespace {

using namespace std::chrono_literals;

double ms_after(TimePoint t, TimePoint from) {
  return std::chrono::duration<double, std::milli>(t - from).count();
}

// A path measured at 1 MB/s with a 100 ms RTT.
PathEstimator measured_path(const Config& config) {
  PathEstimator e(config);
  e.on_rtt_sample(100ms);
  e.on_sent(10'000'000, t0);
  for (int i = 0; i <= 60; ++i) e.on_delivered(1000, t0 + 100ms + 1ms * i);
  return e;
}

}  // namespace

TEST_CASE("arrival: an idle path delivers after its one-way delay and the bytes' serialization", "[sched]") {
  Config config;
  PathEstimator e(config);
  e.on_rtt_sample(100ms);
  const double rate = e.rate(t0);
  const auto bytes = static_cast<std::uint64_t>(rate / 10);  // 100 ms worth
  CHECK(ms_after(arrival_of_new(e, 0, bytes, t0), t0) == Approx(150).epsilon(0.001));
  CHECK(deliverable_by(e, 0, t0 + 150ms, t0) == Approx(bytes).epsilon(0.001));
  CHECK(deliverable_by(e, 0, t0 + 50ms, t0) == 0);  // nothing before the one-way delay
}

TEST_CASE("arrival: a busy path delivers behind what it holds", "[sched]") {
  Config config;
  auto e = measured_path(config);
  const TimePoint now = t0 + 160ms;
  REQUIRE(e.rate(now) == Approx(1e6).epsilon(0.01));
  // It holds ~9.94 MB: 9.94 s of work, of which one one-way delay has
  // already arrived (its reports are on their way back).
  const double held = static_cast<double>(e.in_flight());
  const double expected_ms = (held + 100'000) / 1e3 - 50;
  CHECK(ms_after(arrival_of_new(e, 0, 100'000, now), now) == Approx(expected_ms).epsilon(0.01));
  // deliverable_by inverts arrival_of_new.
  const TimePoint when = arrival_of_new(e, 20'000, 100'000, now);
  CHECK(deliverable_by(e, 20'000, when, now) == Approx(100'000).epsilon(0.01));
}

TEST_CASE("arrival: what a stalled path holds arrives no sooner than a one-way delay from now", "[sched]") {
  Config config;
  PathEstimator e(config);
  e.on_rtt_sample(100ms);
  SendLedger ledger;
  ledger.set_stream_end(1000);
  ledger.on_ack(0, 1000);
  ledger.add_path(PathId{1});
  ledger.record_sent(PathId{1}, {0, 1000}, t0);
  e.on_sent(1000, t0);
  const auto& flight = *ledger.flight(PathId{1});
  // Not stalled yet: the bytes were sent at t0 and cross in 50 ms.
  CHECK(ms_after(arrival_of_sent(e, flight, flight.queue.front(), t0 + 10ms), t0) == Approx(50).margin(1));
  const TimePoint later = t0 + 5s;
  REQUIRE(e.stalled(later));
  CHECK(arrival_of_sent(e, flight, flight.queue.front(), later) >= later + 50ms);
}

}  // namespace msocket::sched
