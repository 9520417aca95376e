// The default scheduler against the paper's "Ideal" (§IV-B, Fig. 10) in the
// discrete-event model (sched_link_sim.hpp): WiFi 40 Mbit/s, 80 ms RTT and
// LTE 20 Mbit/s, 145 ms RTT, a 4 MiB receive window (the session's default).
#include <catch2/catch.hpp>

#include "sched_link_sim.hpp"

namespace msocket::sched::sim {
namespace {

using namespace std::chrono_literals;


std::uint64_t total_sent(const Outcome& o) {
  std::uint64_t sum = 0;
  for (auto b : o.bytes_sent) sum += b;
  return sum;
}

}  // namespace

TEST_CASE("sched sim: default finishes within 10% of the ideal schedule, 1 to 64 MiB", "[sched]") {
  for (std::uint64_t mib : {1, 2, 4, 8, 16, 32, 64}) {
    const auto s = transfer({kWifi, kLte}, mib << 20);
    const auto o = run(s, "default");
    const auto ideal = ideal_completion(s);
    CAPTURE(mib, ms(ideal));
    REQUIRE(o.completion);
    CAPTURE(ms(*o.completion));
    CHECK(ms(*o.completion) <= 1.10 * ms(ideal));
    CHECK_FALSE(o.window_overrun);
    CHECK(o.max_out_of_order <= s.receive_window);
    // Copies (opportunistic re-sends) stay a small part of the transfer.
    CHECK(total_sent(o) <= s.file_bytes + s.file_bytes / 4);
  }
}

TEST_CASE("sched sim: default beats the best single path as the paper's Fig. 10 does", "[sched]") {
  for (std::uint64_t mib : {4, 16, 64}) {
    const auto both = run(transfer({kWifi, kLte}, mib << 20), "default");
    const auto wifi = run(transfer({kWifi}, mib << 20), "default");
    REQUIRE(both.completion);
    REQUIRE(wifi.completion);
    CAPTURE(mib, ms(*both.completion), ms(*wifi.completion));
    // The ideal gain is 60/40 = 1.5x at large sizes.
    CHECK(ms(*wifi.completion) >= 1.35 * ms(*both.completion));
    // Alone on one path, the scheduler is that path.
    CHECK(ms(*wifi.completion) <= 1.01 * ms(single_path_completion(kWifi, mib << 20)));
  }
}

TEST_CASE("sched sim: rr and redundant complete, redundant is as fast as the best path", "[sched]") {
  for (std::uint64_t mib : {1, 16}) {
    const auto s = transfer({kWifi, kLte}, mib << 20);
    const auto rr = run(s, "rr");
    const auto redundant = run(s, "redundant");
    REQUIRE(rr.completion);
    REQUIRE(redundant.completion);
    CAPTURE(mib, ms(*rr.completion), ms(*redundant.completion));
    CHECK(ms(*rr.completion) <= 1.6 * ms(ideal_completion(s)));
    CHECK(ms(*redundant.completion) <= 1.01 * ms(single_path_completion(kWifi, s.file_bytes)));
    // Redundant sends (nearly) everything on both paths; LTE skips only what
    // WiFi got acked first.
    CHECK(total_sent(redundant) >= s.file_bytes + s.file_bytes / 3);
  }
}

TEST_CASE("sched sim: a path whose rate collapses does not hold the transfer hostage", "[sched]") {
  // At 1 s one path drops to 0 (stalls: nothing more leaves it), 0.2 or
  // 2 Mbit/s, for good. The bound: within 10% of the ideal schedule that
  // knew of the collapse in advance, and faster than the other path alone.
  for (std::size_t collapsing : {0, 1}) {
    for (double mbit : {0.0, 0.2, 2.0}) {
      auto s = transfer({kWifi, kLte}, 16ull << 20);
      s.rate_changes.push_back({collapsing, 1s, mbit});
      const auto o = run(s, "default");
      const auto& remaining = s.paths[1 - collapsing];
      CAPTURE(collapsing, mbit, ms(ideal_completion(s)));
      REQUIRE(o.completion);
      CAPTURE(ms(*o.completion));
      CHECK(ms(*o.completion) <= 1.10 * ms(ideal_completion(s)));
      CHECK(*o.completion < single_path_completion(remaining, s.file_bytes));
      CHECK(o.max_out_of_order <= s.receive_window);
    }
  }
}

}  // namespace msocket::sched::sim
