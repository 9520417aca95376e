#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "testbed/time_series.hpp"

using namespace std::chrono_literals;
using msocket::testbed::cumulative;
using msocket::testbed::sliding_window_rate;

TEST_CASE("cumulative: the running total of every bucket", "[testbed]") {
  const std::vector<std::uint64_t> per_bucket{0, 100, 0, 50, 7};
  CHECK(cumulative(per_bucket) == std::vector<std::uint64_t>{0, 100, 100, 150, 157});
  CHECK(cumulative(std::vector<std::uint64_t>{}).empty());
}

TEST_CASE("cumulative: a burst after a stall is a step, never a fall", "[testbed]") {
  const std::vector<std::uint64_t> per_bucket{10, 0, 0, 0, 4000, 10};
  const auto totals = cumulative(per_bucket);
  REQUIRE(totals.size() == per_bucket.size());
  CHECK(std::is_sorted(totals.begin(), totals.end()));
  CHECK(totals.back() == 4020);
}

TEST_CASE("sliding_window_rate: a steady flow is its rate at every point", "[testbed]") {
  // 125000 bytes per 100 ms is 10 Mbit/s.
  const std::vector<std::uint64_t> per_bucket(12, 125'000);
  for (const double rate : sliding_window_rate(per_bucket, 100ms, 500ms)) CHECK(rate == Approx(10e6));
}

TEST_CASE("sliding_window_rate: a burst is spread over the window", "[testbed]") {
  // 500000 bytes in one 100 ms bucket after four empty ones: 40 Mbit/s for
  // that bucket, 8 Mbit/s over the 500 ms ending with it, until it leaves.
  const std::vector<std::uint64_t> per_bucket{0, 0, 0, 0, 500'000, 0, 0, 0, 0, 0, 0};
  const auto rates = sliding_window_rate(per_bucket, 100ms, 500ms);
  REQUIRE(rates.size() == per_bucket.size());
  CHECK(rates[3] == 0);
  for (std::size_t i = 4; i <= 8; ++i) CHECK(rates[i] == Approx(8e6));
  CHECK(rates[9] == 0);
}

TEST_CASE("sliding_window_rate: before a whole window, the time since the start", "[testbed]") {
  const std::vector<std::uint64_t> per_bucket{125'000, 125'000, 0};
  const auto rates = sliding_window_rate(per_bucket, 100ms, 1s);
  CHECK(rates[0] == Approx(10e6));
  CHECK(rates[1] == Approx(10e6));
  CHECK(rates[2] == Approx(8 * 250'000 / 0.3));
}

TEST_CASE("sliding_window_rate: a window of one bucket is the per-bucket rate", "[testbed]") {
  const std::vector<std::uint64_t> per_bucket{0, 12'500, 25'000};
  const auto rates = sliding_window_rate(per_bucket, 100ms, 100ms);
  REQUIRE(rates.size() == 3);
  CHECK(rates[0] == 0);
  CHECK(rates[1] == Approx(1e6));
  CHECK(rates[2] == Approx(2e6));
}
