#include <catch2/catch.hpp>

#include "testbed/link_model.hpp"

using namespace std::chrono_literals;
using msocket::testbed::LinkConfig;
using msocket::testbed::LinkModel;
using msocket::testbed::TimePoint;

namespace {

// The fake clock: an arbitrary origin, moved by hand.
const TimePoint t0 = TimePoint{} + 1000s;

}  // namespace

TEST_CASE("delay alone: every packet leaves exactly one delay after it arrived", "[testbed]") {
  LinkModel link(LinkConfig{.delay = 20ms});
  CHECK(link.on_packet(t0, 1500) == t0 + 20ms);
  CHECK(link.on_packet(t0, 1500) == t0 + 20ms);  // no rate: no queueing behind the first
  CHECK(link.on_packet(t0 + 3ms, 60) == t0 + 23ms);
  CHECK(link.counters().packets == 3);
  CHECK(link.counters().bytes == 3060);
  CHECK(link.counters().drops() == 0);
}

TEST_CASE("rate alone: back-to-back packets are spaced by their serialization time", "[testbed]") {
  // 12 Mbit/s: 1500 bytes = 12000 bits take exactly 1 ms, 150 bytes 100 us.
  LinkModel link(LinkConfig{.rate = 12'000'000});
  CHECK(link.serialization_time(1500) == 1ms);
  for (int i = 0; i < 10; ++i) CHECK(link.on_packet(t0, 1500) == t0 + (i + 1) * 1ms);
  // A packet arriving while the link is busy waits for it.
  CHECK(link.on_packet(t0 + 5ms, 150) == t0 + 10ms + 100us);
  // A packet arriving on an idle link leaves after its own serialization only.
  CHECK(link.on_packet(t0 + 50ms, 150) == t0 + 50ms + 100us);
}

TEST_CASE("rate and delay add up, the link is busy until departure minus delay", "[testbed]") {
  LinkModel link(LinkConfig{.delay = 10ms, .rate = 12'000'000});
  CHECK(link.on_packet(t0, 1500) == t0 + 11ms);
  CHECK(link.on_packet(t0, 1500) == t0 + 12ms);
  CHECK(link.on_packet(t0 + 1500us, 1500) == t0 + 13ms);  // busy until t0 + 2 ms
}

TEST_CASE("a full queue drops the tail, it drains at the link rate", "[testbed]") {
  LinkModel link(LinkConfig{.rate = 12'000'000, .queue_bytes = 4500});
  CHECK(link.queue_limit() == 4500);
  CHECK(link.on_packet(t0, 1500) == t0 + 1ms);
  CHECK(link.on_packet(t0, 1500) == t0 + 2ms);
  CHECK(link.on_packet(t0, 1500) == t0 + 3ms);
  CHECK_FALSE(link.on_packet(t0, 1500).has_value());  // 6000 > 4500
  CHECK_FALSE(link.on_packet(t0, 1).has_value());  // still full
  // At t0 + 1 ms the first packet is on the wire: room for one more.
  CHECK(link.on_packet(t0 + 1ms, 1500) == t0 + 4ms);
  CHECK_FALSE(link.on_packet(t0 + 1ms, 1500).has_value());
  CHECK(link.counters().packets == 4);
  CHECK(link.counters().overflowed == 3);
  CHECK(link.counters().lost == 0);
}

TEST_CASE("the default queue holds 100 ms at the rate, at least 64 KiB", "[testbed]") {
  CHECK(LinkModel(LinkConfig{.rate = 20'000'000}).queue_limit() == 250'000);
  CHECK(LinkModel(LinkConfig{.rate = 1'000'000}).queue_limit() == 64 * 1024);
  CHECK(LinkModel(LinkConfig{}).queue_limit() == 64 * 1024);
}

TEST_CASE("random loss: the rate is close to the probability, a seed repeats it", "[testbed]") {
  const int n = 100'000;
  auto run = [&](std::uint64_t seed, double loss) {
    LinkModel link(LinkConfig{.delay = 5ms, .loss = loss, .seed = seed});
    for (int i = 0; i < n; ++i) {
      const auto departure = link.on_packet(t0 + i * 1ms, 100);
      if (departure) REQUIRE(*departure == t0 + i * 1ms + 5ms);
    }
    return link.counters();
  };
  const auto c = run(42, 0.1);
  CHECK(c.packets + c.lost == n);
  CHECK(c.overflowed == 0);
  // 10% of 100000 = 10000 expected, standard deviation about 95.
  CHECK(c.lost > 9'500);
  CHECK(c.lost < 10'500);
  CHECK(run(42, 0.1).lost == c.lost);
  CHECK(run(43, 0.1).lost != c.lost);
  CHECK(run(42, 0).lost == 0);
  CHECK(run(42, 1).lost == n);
}

TEST_CASE("rates are parsed as tc writes them", "[testbed]") {
  using msocket::testbed::format_rate;
  using msocket::testbed::parse_rate;
  CHECK(parse_rate("20mbit") == std::optional<std::uint64_t>(20'000'000));
  CHECK(parse_rate("1.5gbit") == std::optional<std::uint64_t>(1'500'000'000));
  CHECK(parse_rate("500kbit") == std::optional<std::uint64_t>(500'000));
  CHECK(parse_rate("800bit") == std::optional<std::uint64_t>(800));
  CHECK(parse_rate("9600") == std::optional<std::uint64_t>(9600));
  CHECK(parse_rate("0") == std::optional<std::uint64_t>(0));
  for (const char* bad : {"", "mbit", "-1mbit", "20mb", "20 mbit", "20mbps", "nan", "1e300", "0.1bit"})
    CHECK_FALSE(parse_rate(bad).has_value());
  CHECK(format_rate(20'000'000) == "20mbit");
  CHECK(format_rate(1'500'000) == "1500kbit");
  CHECK(format_rate(0) == "unlimited");
}
