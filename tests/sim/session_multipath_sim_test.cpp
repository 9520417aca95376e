// Two sessions striping one connection over several flowpaths (paper
// §III-C, docs/protocol.md §3.2) in the session simulator: scripted paths
// with their own rate and delay (sim_world.hpp, Scenario), every byte
// checked, closure required. WiFi 40 Mbit/s 80 ms RTT and LTE 20 Mbit/s
// 145 ms RTT as in the scheduler's own simulation (docs/scheduler.md §6).
#include <catch2/catch.hpp>

#include "sim_download.hpp"

namespace msocket::sim {
namespace {

using session::SchedulerPolicy;


// From the server's first write to the client's last read.
double transfer_ms(const Scenario& s, const Outcome& o) {
  REQUIRE(o.download_done);
  return to_milliseconds(*o.download_done - s.write_at);
}

Outcome run_ok(const Scenario& s) {
  const auto o = simulate(s);
  if (!o.ok) FAIL(o.failure);
  return o;
}

}  // namespace

TEST_CASE("multipath sim: default stripes within 5% of the ideal split, faster than either path",
          "[sim][multipath]") {
  const auto both = download({kWifi, kLte}, SchedulerPolicy::throughput);
  const auto o = run_ok(both);
  const double ideal = ideal_ms(both.paths, both.bytes);
  const double wifi = transfer_ms(both, run_ok(download({kWifi}, SchedulerPolicy::throughput)));
  const double took = transfer_ms(both, o);
  CAPTURE(took, ideal, wifi, sent_on(o, 0), sent_on(o, 1));
  // The bound: the scheduler's own model ends within 0.1% of the ideal at
  // 16 MiB (docs/scheduler.md §6); here framing (0.1%), acks that wait up to
  // ack_delay and the warm-up before the first delivery reports add a few
  // round trips of one path at most: 5% of 2.3 s is 115 ms, about one LTE
  // round trip less than the slack they could need.
  CHECK(took <= 1.05 * ideal);
  // 60 Mbit/s against WiFi's 40: the ideal gain is 1.48x here.
  CHECK(wifi >= 1.35 * took);
  // Both paths carry their part, and copies stay few.
  CHECK(sent_on(o, 0) + sent_on(o, 1) <= both.bytes + both.bytes / 20);
  CHECK(sent_on(o, 1) >= both.bytes / 4);
  // Alone, the session is as fast as its path.
  CHECK(wifi <= 1.02 * ideal_ms({kWifi}, both.bytes));
}

TEST_CASE("multipath sim: without TCP's delivery reports the connection's ack stands in, worse",
          "[sim][multipath]") {
  auto s = download({kWifi, kLte}, SchedulerPolicy::throughput);
  s.tcp_feedback = false;
  const auto o = run_ok(s);
  const double took = transfer_ms(s, o);
  const double wifi = ideal_ms({kWifi}, s.bytes);
  CAPTURE(took, ideal_ms(s.paths, s.bytes), wifi, sent_on(o, 0), sent_on(o, 1));
  // Exact and closed (run_ok), but the striping suffers: WiFi's bytes past
  // LTE's gaps count as delivered only when the gap fills, so WiFi looks
  // slower than it is and LTE gets too much (docs/scheduler.md §8). The
  // bound records today's figure (1.31x WiFi alone) with a little room.
  CHECK(took < 1.4 * wifi);
  // One path alone needs no reports at all.
  auto single = download({kWifi}, SchedulerPolicy::throughput);
  single.tcp_feedback = false;
  CHECK(transfer_ms(single, run_ok(single)) <= 1.02 * wifi);
}

TEST_CASE("multipath sim: a path that fails mid-transfer loses nothing", "[sim][multipath]") {
  for (std::size_t failing : {0, 1}) {
    auto s = download({kWifi, kLte}, SchedulerPolicy::throughput);
    s.events.push_back({failing, s.write_at + 1s, PathEvent::Kind::fail});
    const auto o = run_ok(s);  // every byte checked, both sessions closed
    const auto& rest = s.paths[1 - failing];
    CAPTURE(failing, transfer_ms(s, o), sent_on(o, 0), sent_on(o, 1));
    // No slower than the remaining path alone, with a round trip to spare.
    CHECK(transfer_ms(s, o) <= ideal_ms({rest}, s.bytes) + to_milliseconds(rest.rtt));
  }
}

TEST_CASE("multipath sim: a stalled path does not hold the receiver's window", "[sim][multipath]") {
  // The path stalls for good and nobody tells either end; the keepalive
  // would declare it dead only after a minute, so only the scheduler's
  // copies can end the transfer in time.
  for (std::size_t stalling : {0, 1}) {
    auto s = download({kWifi, kLte}, SchedulerPolicy::throughput);
    s.config.keepalive_timeout = 60s;
    s.events.push_back({stalling, s.write_at + 1s, PathEvent::Kind::stall});
    const auto o = run_ok(s);
    const auto& rest = s.paths[1 - stalling];
    CAPTURE(stalling, transfer_ms(s, o), sent_on(o, 0), sent_on(o, 1));
    CHECK(transfer_ms(s, o) <= ideal_ms({rest}, s.bytes) + 2 * to_milliseconds(rest.rtt));
  }
  SECTION("rr has no copies: the stalled path holds the window until it is declared dead") {
    auto s = download({kWifi, kLte}, SchedulerPolicy::round_robin);
    s.config.keepalive_timeout = 20s;
    s.events.push_back({1, s.write_at + 1s, PathEvent::Kind::stall});
    const auto o = run_ok(s);
    CHECK(transfer_ms(s, o) >= 19'000);
  }
}

TEST_CASE("multipath sim: redundant sends everything on every path", "[sim][multipath]") {
  const auto s = download({kWifi, kLte}, SchedulerPolicy::redundant, 4ull << 20);
  const auto o = run_ok(s);
  CAPTURE(transfer_ms(s, o), sent_on(o, 0), sent_on(o, 1));
  CHECK(sent_on(o, 0) >= s.bytes * 9 / 10);
  CHECK(sent_on(o, 1) >= s.bytes / 2);  // LTE skips what WiFi got acked first
  CHECK(transfer_ms(s, o) <= 1.05 * ideal_ms({kWifi}, s.bytes));
  SECTION("and loses nothing when one fails") {
    auto failing = s;
    failing.events.push_back({0, s.write_at + 300ms, PathEvent::Kind::fail});
    run_ok(failing);
  }
}

TEST_CASE("multipath sim: backup keeps the second path idle until the first fails", "[sim][multipath]") {
  auto s = download({kWifi, kLte}, SchedulerPolicy::backup, 4ull << 20);
  const auto idle = run_ok(s);
  CHECK(sent_on(idle, 0) == s.bytes);
  CHECK(sent_on(idle, 1) == 0);
  s.events.push_back({0, s.write_at + 300ms, PathEvent::Kind::fail});
  const auto o = run_ok(s);
  CAPTURE(sent_on(o, 0), sent_on(o, 1));
  CHECK(sent_on(o, 1) > 0);
  CHECK(sent_on(o, 0) + sent_on(o, 1) >= s.bytes);
}

TEST_CASE("multipath sim: prefer leaves a stalled path, rr stripes without estimates", "[sim][multipath]") {
  auto s = download({kWifi, kLte}, SchedulerPolicy::prefer, 4ull << 20);
  s.config.keepalive_timeout = 60s;
  s.events.push_back({0, s.write_at + 300ms, PathEvent::Kind::stall});
  const auto o = run_ok(s);
  CAPTURE(transfer_ms(s, o), sent_on(o, 0), sent_on(o, 1));
  CHECK(sent_on(o, 1) > 0);
  CHECK(transfer_ms(s, o) <= 300 + ideal_ms({kLte}, s.bytes) + 2 * to_milliseconds(kLte.rtt));

  const auto rr = download({kWifi, kLte}, SchedulerPolicy::round_robin);
  const auto r = run_ok(rr);
  CAPTURE(transfer_ms(rr, r));
  CHECK(sent_on(r, 1) > 0);
  CHECK(transfer_ms(rr, r) < ideal_ms({kWifi}, rr.bytes));
}

}  // namespace msocket::sim
