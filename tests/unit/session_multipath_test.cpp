// Session with several flowpaths (docs/protocol.md §3.2): the scheduler
// policy from Config, per-path delivery reports and figures.
#include "session_pair.hpp"

namespace msocket::session {
namespace {

using namespace test;

std::uint64_t payload_of(const Bytes& bytes) {
  std::uint64_t n = 0;
  for (const auto& d : only<wire::DataFrame>(frames_of(bytes))) n += d.payload.size();
  return n;
}

}  // namespace

TEST_CASE("session: scheduler policies by name", "[session]") {
  for (auto name : kSchedulerPolicyNames) {
    const auto policy = parse_scheduler_policy(name);
    REQUIRE(policy);
    CHECK(to_string(*policy) == name);
    Config config;
    config.scheduler = *policy;
    Session s(Role::client, config, TimePoint{});
    CHECK(s.scheduler().policy_name() == name);
  }
  CHECK_FALSE(parse_scheduler_policy("fastest"));
}

TEST_CASE("session: backup sends on the first path only, the second takes over", "[session]") {
  Config config;
  config.scheduler = SchedulerPolicy::backup;
  config.chunk_size = 1000;
  Pair t(config);
  t.connect(kPath1);
  t.connect(kPath2);
  REQUIRE(t.client.write(pattern(10000, 7), t.now) == 10000);
  CHECK(payload_of(poll_all(t.client, kPath2, t.now)) == 0);
  const auto first = poll_all(t.client, kPath1, t.now);
  CHECK(payload_of(first) == 10000);
  // Path 1 fails after delivering 3 frames: the rest goes once on path 2.
  const auto frames = frames_of(first);
  for (std::size_t i = 0; i < 3; ++i) REQUIRE_FALSE(t.server.on_frame(kPath1, frames[i], t.now));
  t.client.path_down(kPath1, t.now);
  t.server.path_down(kPath1, t.now);
  const auto again = poll_all(t.client, kPath2, t.now);
  CHECK(payload_of(again) == 10000);  // the client had no ack: everything
  REQUIRE_FALSE(feed(t.server, kPath2, again, t.now));
  CHECK(t.server.recv_ack() == 10000);
  CHECK(payload_of(poll_all(t.client, kPath2, t.now)) == 0);  // once
}

TEST_CASE("session: awaits room while bytes wait for a path, or two paths share the flight", "[session]") {
  Config config;
  config.chunk_size = 1000;
  Pair t(config);
  t.connect(kPath1);
  CHECK_FALSE(t.client.awaits_room());  // nothing written
  REQUIRE(t.client.write(pattern(5000, 3), t.now) == 5000);
  CHECK(t.client.awaits_room());  // written, not sent
  const auto sent = poll_all(t.client, kPath1, t.now);
  CHECK(payload_of(sent) == 5000);
  CHECK_FALSE(t.client.awaits_room());  // all in flight on the one path: nothing to gain now
  t.connect(kPath2);
  CHECK(t.client.awaits_room());  // a second path may take the tail again
  t.client.path_down(kPath1, t.now);
  t.server.path_down(kPath1, t.now);
  CHECK(t.client.awaits_room());  // what path 1 carried is lost and waits for path 2
  const auto again = poll_all(t.client, kPath2, t.now);
  CHECK(payload_of(again) == 5000);
  CHECK_FALSE(t.client.awaits_room());
  REQUIRE_FALSE(feed(t.server, kPath2, again, t.now));
  t.now += t.config.ack_delay;
  REQUIRE_FALSE(feed(t.client, kPath2, poll_all(t.server, kPath2, t.now), t.now));
  CHECK(t.client.recv_ack() == 0);
  CHECK_FALSE(t.client.awaits_room());  // everything acked
}

TEST_CASE("session: path_delivered takes the framing off TCP's count", "[session]") {
  Config config;
  config.chunk_size = 1000;
  Pair t(config);
  t.connect(kPath1);
  REQUIRE(t.client.write(pattern(5000, 8), t.now) == 5000);
  const auto sent = poll_all(t.client, kPath1, t.now);
  const auto* estimate = t.client.scheduler().estimate(kPath1);
  REQUIRE(estimate);
  CHECK(estimate->in_flight() == 5000);
  // TCP acked the first two frames and half of the third.
  const std::size_t frame = wire::kDataPrefixSize + 1000;
  t.client.path_delivered(kPath1, 2 * frame + frame / 2, t.now + 50ms);
  CHECK(estimate->in_flight() == 3000);
  t.client.path_delivered(kPath1, 2 * frame, t.now + 60ms);  // going back is ignored
  CHECK(estimate->in_flight() == 3000);
  t.client.path_delivered(kPath1, sent.size(), t.now + 70ms);
  CHECK(estimate->in_flight() == 0);
}

TEST_CASE("session: without TCP's reports the connection's ack confirms deliveries", "[session]") {
  Pair t;
  t.connect(kPath1);
  REQUIRE(t.client.write(pattern(3000, 9), t.now) == 3000);
  REQUIRE_FALSE(feed(t.server, kPath1, poll_all(t.client, kPath1, t.now), t.now));
  CHECK(t.client.scheduler().estimate(kPath1)->in_flight() == 3000);
  t.now += t.config.ack_delay;
  t.exchange(kPath1);
  CHECK(t.client.scheduler().estimate(kPath1)->in_flight() == 0);
}

TEST_CASE("session: per-path report", "[session]") {
  Config config;
  config.scheduler = SchedulerPolicy::round_robin;
  config.chunk_size = 1000;
  Pair t(config);
  t.connect(kPath1);
  REQUIRE_FALSE(t.client.add_path(kPath2, t.server.recv_ack(), t.server.recv_window(), t.now, 30ms));
  REQUIRE(t.client.write(pattern(4000, 10), t.now) == 4000);
  std::array<std::byte, 1100> one_frame;
  REQUIRE(t.client.poll_transmit(kPath1, one_frame, t.now) > 0);
  (void)poll_all(t.client, kPath2, t.now);
  const auto report = t.client.path_report(t.now);
  REQUIRE(report.size() == 2);
  CHECK(report[0].bytes_sent + report[1].bytes_sent == 4000);
  CHECK(report[0].share + report[1].share == Approx(1.0));
  REQUIRE(report[1].rtt);
  CHECK(*report[1].rtt == 30ms);
  CHECK(report[1].delivery_rate > 0);
  t.client.path_down(kPath2, t.now);
  CHECK_FALSE(t.client.path_report(t.now)[1].live);
  CHECK_FALSE(t.client.path_report(t.now)[1].rtt);
}

}  // namespace msocket::session
