#include <chrono>
#include <cstdint>
#include <limits>

#include <catch2/catch.hpp>

#include "names/deadline.hpp"

using namespace msocket::names;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST_CASE("a deadline centuries away saturates instead of wrapping into the past", "[names]") {
  const auto now = Clock::now();
  constexpr auto far = std::numeric_limits<std::int64_t>::max();
  // expires = INT64_MAX: the seconds left do not fit in nanoseconds.
  const auto left = seconds_until(far, 1'800'000'000);
  CHECK(left.count() == far - 1'800'000'000);
  const auto deadline = saturating_deadline<Clock>(now, left);
  CHECK(deadline == Clock::time_point::max());
  CHECK(deadline > now);
  CHECK(saturating_deadline<Clock>(now, std::chrono::seconds::max()) == Clock::time_point::max());
  CHECK(saturating_deadline<Clock>(Clock::time_point::max() - 1s, 2s) == Clock::time_point::max());
}

TEST_CASE("deadlines that fit are exact, past ones are now", "[names]") {
  const auto now = Clock::now();
  CHECK(saturating_deadline<Clock>(now, 30s) == now + 30s);
  CHECK(saturating_deadline<Clock>(now, 1500ms) == now + 1500ms);
  CHECK(saturating_deadline<Clock>(now, 0s) == now);
  CHECK(saturating_deadline<Clock>(now, -5s) == now);
}

TEST_CASE("seconds until an expiry never overflow", "[names]") {
  constexpr auto lowest = std::numeric_limits<std::int64_t>::min();
  constexpr auto highest = std::numeric_limits<std::int64_t>::max();
  CHECK(seconds_until(100, 40) == 60s);
  CHECK(seconds_until(40, 100) == 0s);
  CHECK(seconds_until(40, 40) == 0s);
  CHECK(seconds_until(highest, lowest) == std::chrono::seconds::max());  // 2^64 - 1 seconds: saturated
  CHECK(seconds_until(lowest, highest) == 0s);
}
