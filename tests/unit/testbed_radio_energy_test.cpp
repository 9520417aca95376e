#include <catch2/catch.hpp>

#include <vector>

#include "testbed/radio_energy.hpp"

using namespace std::chrono_literals;
using msocket::testbed::integrate_power_trace;
using msocket::testbed::lte_power_model;
using msocket::testbed::PowerTrace;
using msocket::testbed::PowerTraceError;
using msocket::testbed::radio_energy;
using msocket::testbed::RadioEnergy;
using msocket::testbed::Seconds;
using msocket::testbed::TrafficSample;
using msocket::testbed::wifi_power_model;

namespace {

// 0.1 s carrying 125000 bytes is 10 Mbit/s; 12500 bytes is 1 Mbit/s.
constexpr std::uint64_t k10MbitFor100ms = 125'000, k1MbitFor100ms = 12'500;

TrafficSample at(double seconds, std::uint64_t up = 0, std::uint64_t down = 0) {
  return TrafficSample{Seconds(seconds), up, down};
}

}  // namespace

TEST_CASE("the published constants: LTE tail averaged over one long DRX cycle", "[testbed]") {
  const auto lte = lte_power_model();
  // 1060.0 mW asleep, 1680.2 mW awake for 1 ms of every 40 ms.
  CHECK(lte.tail_milliwatts == Approx(1060.0 + 620.2 / 40));
  CHECK(lte.transfer_milliwatts(1, 10) == Approx(438.39 + 519.7 + 1288.04));
  CHECK(wifi_power_model().transfer_milliwatts(0, 0) == Approx(132.86));
}

TEST_CASE("a single burst costs one promotion, its transfer and one whole tail", "[testbed]") {
  const std::vector<TrafficSample> trace{at(0.1), at(0.2, k1MbitFor100ms, k10MbitFor100ms), at(0.3)};
  const auto energy = radio_energy(wifi_power_model(), trace);
  // WiFi: promotion 124.4 mW x 79.1 ms; 0.1 s at 283.17 x 1 + 137.01 x 10 +
  // 132.86 mW; tail 119.3 mW x 238.1 ms (the 0.1 s after the burst is part of it).
  CHECK(energy.promotions == 1);
  CHECK(energy.promotion_joules == Approx(0.1244 * 0.0791));
  CHECK(energy.transfer_joules == Approx((283.17 + 1370.1 + 132.86) * 0.1 / 1000));
  CHECK(energy.tail_joules == Approx(0.1193 * 0.2381));
  CHECK(energy.joules() == Approx(0.1244 * 0.0791 + 0.178613 + 0.1193 * 0.2381));
  CHECK(energy.transfer_time.count() == Approx(0.1));
}

TEST_CASE("two bursts within the tail share one promotion, the gap is tail", "[testbed]") {
  const std::vector<TrafficSample> trace{at(0.1, 0, k10MbitFor100ms), at(1.0), at(1.1, 0, k10MbitFor100ms)};
  const auto energy = radio_energy(lte_power_model(), trace);
  const double tail_milliwatts = 1060.0 + 620.2 / 40;
  CHECK(energy.promotions == 1);
  CHECK(energy.promotion_joules == Approx(1.2107 * 0.2601));
  CHECK(energy.transfer_joules == Approx(2 * (51.97 * 10 + 1288.04) * 0.1 / 1000));
  // 0.9 s between the bursts, then the whole 11.576 s tail.
  CHECK(energy.tail_joules == Approx(tail_milliwatts * (0.9 + 11.576) / 1000));
}

TEST_CASE("bursts further apart than the tail pay a promotion and a tail each", "[testbed]") {
  const std::vector<TrafficSample> trace{at(0.1, 0, k10MbitFor100ms), at(1.0), at(1.1, 0, k10MbitFor100ms)};
  const auto energy = radio_energy(wifi_power_model(), trace);
  CHECK(energy.promotions == 2);
  CHECK(energy.promotion_joules == Approx(2 * 0.1244 * 0.0791));
  CHECK(energy.tail_joules == Approx(2 * 0.1193 * 0.2381));
}

TEST_CASE("an idle trace costs nothing", "[testbed]") {
  std::vector<TrafficSample> trace;
  for (int i = 1; i <= 1000; ++i) trace.push_back(at(i * 0.01));
  for (const auto& model : {lte_power_model(), wifi_power_model()}) {
    const auto energy = radio_energy(model, trace);
    CHECK(energy.joules() == 0);
    CHECK(energy.promotions == 0);
  }
}

TEST_CASE("both radios of one phone: their energies add", "[testbed]") {
  const std::vector<TrafficSample> wifi_trace{at(0.1, 0, k10MbitFor100ms), at(0.2, 0, k10MbitFor100ms)};
  const std::vector<TrafficSample> lte_trace{at(0.1), at(0.2, k1MbitFor100ms, k10MbitFor100ms)};
  const auto wifi = radio_energy(wifi_power_model(), wifi_trace);
  const auto lte = radio_energy(lte_power_model(), lte_trace);
  RadioEnergy both = wifi;
  both += lte;
  CHECK(both.joules() == Approx(wifi.joules() + lte.joules()));
  CHECK(both.promotions == 2);
  CHECK(both.transfer_time.count() == Approx(0.3));
}

TEST_CASE("a power trace integrates by trapezoids, header and comments skipped", "[testbed]") {
  // 1 W for 1 s, then a ramp from 1 W to 3 W over 1 s (2 J): 3 J in 2 s.
  const auto result = integrate_power_trace("# monitor export\ntime_s,power_mW\n0,1000\n1,1000\r\n\n2, 3000\n");
  REQUIRE(std::holds_alternative<PowerTrace>(result));
  const auto& trace = std::get<PowerTrace>(result);
  CHECK(trace.joules == Approx(3.0));
  CHECK(trace.span == Seconds(2));
  CHECK(trace.rows == 3);
  CHECK(trace.mean_milliwatts() == Approx(1500));
}

TEST_CASE("a malformed power trace is refused, naming the line", "[testbed]") {
  const auto error_of = [](std::string_view csv) {
    const auto result = integrate_power_trace(csv);
    REQUIRE(std::holds_alternative<PowerTraceError>(result));
    return std::get<PowerTraceError>(result);
  };
  CHECK(error_of("time_s,power_mW\n0,100\n1,abc\n").line == 3);
  CHECK(error_of("0,100\n1;100\n").describe() == "line 2: expected time_s,power_mW, found no comma");
  CHECK(error_of("0,100\n1,100\n1,100\n").line == 3);   // time must increase
  CHECK(error_of("0,100\n1,-5\n").line == 2);           // negative power
  CHECK(error_of("0,100\nx,100\n").line == 2);          // a header only comes first
  CHECK(error_of("0,100\n").line == 0);                 // one row is no trace
  CHECK(error_of("").describe().find("at least two rows") != std::string::npos);
}
