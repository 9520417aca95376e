// The receiver's memory and the window (paper §III-C: s - a <= b) in the
// discrete-event model: whatever the paths do, the receiver never holds more
// than its window, and a stalled path cannot deadlock the transfer (MPTCP's
// receive-buffer deadlock) under the default policy.
#include <catch2/catch.hpp>

#include "sched_link_sim.hpp"

namespace msocket::sched::sim {
namespace {

using namespace std::chrono_literals;


}  // namespace

TEST_CASE("sched sim: the receiver never holds more than its window", "[sched]") {
  for (std::uint64_t window : {256ull << 10, 512ull << 10, 1ull << 20, 2ull << 20, 4ull << 20}) {
    for (const char* policy : {"default", "rr", "redundant"}) {
      const auto s = transfer({kWifi, kLte}, 16ull << 20, window);
      const auto o = run(s, policy);
      CAPTURE(window, policy);
      REQUIRE(o.completion);
      CHECK_FALSE(o.window_overrun);
      CHECK(o.max_out_of_order <= window);
    }
  }
}

TEST_CASE("sched sim: with a small window, default is never slower than the best path alone", "[sched]") {
  for (std::uint64_t window : {256ull << 10, 1ull << 20, 4ull << 20}) {
    const auto both = run(transfer({kWifi, kLte}, 16ull << 20, window), "default");
    const auto wifi = run(transfer({kWifi}, 16ull << 20, window), "default");
    REQUIRE(both.completion);
    REQUIRE(wifi.completion);
    CAPTURE(window, ms(*both.completion), ms(*wifi.completion));
    CHECK(*both.completion <= *wifi.completion);
  }
}

TEST_CASE("sched sim: a stalled path with the window exhausted: default copies, rr deadlocks", "[sched]") {
  // LTE stops at 1 s holding bytes near the ack point; a 1 MiB window fills
  // behind them within a fraction of a second.
  auto s = transfer({kWifi, kLte}, 16ull << 20, 1ull << 20);
  s.rate_changes.push_back({1, 1s, 0.0});
  s.time_limit = 30s;
  const auto fine = run(s, "default");
  REQUIRE(fine.completion);
  CAPTURE(ms(*fine.completion), ms(ideal_completion(s)));
  CHECK(*fine.completion < single_path_completion(kWifi, s.file_bytes));
  CHECK(fine.max_out_of_order <= s.receive_window);
  // rr never copies a live path's bytes: the window stays full for good.
  const auto stuck = run(s, "rr");
  CHECK_FALSE(stuck.completion);
  CHECK(stuck.max_out_of_order <= s.receive_window);
}

TEST_CASE("sched sim: the fast path stalls under a small window, LTE finishes the transfer", "[sched]") {
  auto s = transfer({kWifi, kLte}, 8ull << 20, 256ull << 10);
  s.rate_changes.push_back({0, 500ms, 0.0});
  const auto o = run(s, "default");
  // LTE alone is window-limited too (256 KiB per 145 ms RTT).
  const auto lte = run(transfer({kLte}, s.file_bytes, s.receive_window), "default");
  REQUIRE(o.completion);
  REQUIRE(lte.completion);
  CAPTURE(ms(*o.completion), ms(*lte.completion));
  // Faster than LTE alone from the start: WiFi's bytes before the stall
  // count, the ones it strands are copied.
  CHECK(*o.completion < *lte.completion);
  CHECK(o.max_out_of_order <= s.receive_window);
}

}  // namespace msocket::sched::sim
