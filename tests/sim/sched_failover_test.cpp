// backup, prefer and redundant when a path fails or stalls, in the
// discrete-event model. WiFi (path 0) is preferred: it came up first.
#include <catch2/catch.hpp>

#include "sched_link_sim.hpp"

namespace msocket::sched::sim {
namespace {

using namespace std::chrono_literals;


// What LTE alone needs for what WiFi had not delivered when it stopped at
// `at`, counted from `at`.
Duration lte_takes_over(std::uint64_t file, Duration at) {
  const double wifi_rate = kWifi.mbit_per_second * 1e6 / 8;
  const double delivered = wifi_rate * Seconds(at - kWifi.rtt / 2).count();
  return at + single_path_completion(kLte, file - static_cast<std::uint64_t>(delivered));
}

}  // namespace

TEST_CASE("sched sim: backup leaves the second path idle while the first is up", "[sched]") {
  const auto o = run(transfer({kWifi, kLte}, 8ull << 20), "backup");
  REQUIRE(o.completion);
  CHECK(o.bytes_sent[1] == 0);
  CHECK(ms(*o.completion) <= 1.01 * ms(single_path_completion(kWifi, 8ull << 20)));
}

TEST_CASE("sched sim: backup and prefer take over when the first path fails", "[sched]") {
  for (const char* policy : {"backup", "prefer"}) {
    auto s = transfer({kWifi, kLte}, 16ull << 20);
    s.failures.push_back({0, 1s});
    const auto o = run(s, policy);
    CAPTURE(policy);
    REQUIRE(o.completion);
    CAPTURE(ms(*o.completion), ms(lte_takes_over(s.file_bytes, 1s)));
    // What WiFi held when it failed is sent again on LTE, within an LTE RTT.
    CHECK(*o.completion <= lte_takes_over(s.file_bytes, 1s) + kLte.rtt);
  }
}

TEST_CASE("sched sim: prefer leaves a stalled path, backup waits for it to fail", "[sched]") {
  auto s = transfer({kWifi, kLte}, 16ull << 20);
  s.rate_changes.push_back({0, 1s, 0.0});
  s.time_limit = 30s;
  const auto prefer = run(s, "prefer");
  REQUIRE(prefer.completion);
  CAPTURE(ms(*prefer.completion), ms(lte_takes_over(s.file_bytes, 1s)));
  // Stall detection costs about one LTE RTT on top of a clean failover.
  CHECK(*prefer.completion <= lte_takes_over(s.file_bytes, 1s) + 2 * kLte.rtt);
  CHECK_FALSE(run(s, "backup").completion);
}

TEST_CASE("sched sim: redundant loses nothing when a path fails", "[sched]") {
  auto s = transfer({kWifi, kLte}, 16ull << 20);
  s.failures.push_back({0, 1s});
  const auto o = run(s, "redundant");
  REQUIRE(o.completion);
  CAPTURE(ms(*o.completion));
  // LTE has carried every byte all along: no worse than LTE alone.
  CHECK(*o.completion <= single_path_completion(kLte, s.file_bytes) + 1ms);
}

TEST_CASE("sched sim: default re-sends a failed path's bytes and finishes near the ideal", "[sched]") {
  for (std::size_t failing : {0, 1}) {
    auto s = transfer({kWifi, kLte}, 16ull << 20);
    s.failures.push_back({failing, 1s});
    const auto o = run(s, "default");
    CAPTURE(failing, ms(ideal_completion(s)));
    REQUIRE(o.completion);
    CAPTURE(ms(*o.completion));
    CHECK(ms(*o.completion) <= 1.10 * ms(ideal_completion(s)));
  }
}

}  // namespace msocket::sched::sim
