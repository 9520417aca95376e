#include <catch2/catch.hpp>

#include "names/rate_limiter.hpp"

using namespace msocket::names;
using namespace std::chrono_literals;
using Clock = UpdateRateLimiter::Clock;

namespace {

PublicKey key(int i) {
  PublicKey k{};
  k[0] = static_cast<std::byte>(i);
  k[1] = static_cast<std::byte>(i >> 8);
  return k;
}

// Admissions of `count` updates of `k` at `now`.
int admitted(UpdateRateLimiter& limiter, const PublicKey& k, Clock::time_point now, int count) {
  int yes = 0;
  for (int i = 0; i < count; ++i) yes += limiter.admit(k, now) ? 1 : 0;
  return yes;
}

}  // namespace

TEST_CASE("rate limit: a burst, then the rate", "[names]") {
  UpdateRateLimiter limiter({20, 40});
  const auto t0 = Clock::time_point{} + 1h;
  CHECK(admitted(limiter, key(1), t0, 50) == 40);  // the burst, then none
  CHECK(admitted(limiter, key(1), t0 + 100ms, 10) == 2);  // 20 a second
  CHECK(admitted(limiter, key(1), t0 + 1100ms, 30) == 20);
  CHECK(admitted(limiter, key(1), t0 + 1h, 100) == 40);  // refilled to the burst, no more
}

TEST_CASE("rate limit: each key has its own bucket", "[names]") {
  UpdateRateLimiter limiter({20, 40});
  const auto t0 = Clock::time_point{} + 1h;
  CHECK(admitted(limiter, key(1), t0, 40) == 40);
  CHECK_FALSE(limiter.admit(key(1), t0));
  CHECK(admitted(limiter, key(2), t0, 40) == 40);  // a busy key takes nothing from another
}

TEST_CASE("rate limit: a rate of 0 is no limit", "[names]") {
  UpdateRateLimiter limiter({0, 0});
  CHECK(admitted(limiter, key(1), Clock::time_point{} + 1h, 10'000) == 10'000);
  CHECK(limiter.tracked() == 0);
}

TEST_CASE("rate limit: the table of keys is bounded", "[names]") {
  UpdateRateLimiter limiter({20, 40}, 3);
  const auto t0 = Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) CHECK(limiter.admit(key(i), t0));
  CHECK_FALSE(limiter.admit(key(9), t0));  // full, and every bucket still spent in part
  CHECK(limiter.tracked() == 3);
  // Once their buckets are full again, the keys are forgotten to make room.
  CHECK(limiter.admit(key(9), t0 + 10s));
  CHECK(limiter.tracked() == 1);
}
