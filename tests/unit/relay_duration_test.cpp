#include <catch2/catch.hpp>

#include "relay/duration.hpp"

using namespace std::chrono_literals;
using msocket::relay::parse_duration;

TEST_CASE("durations take ncat's suffixes, a bare number is seconds", "[cli]") {
  CHECK(parse_duration("500ms") == std::optional<msocket::Duration>(500ms));
  CHECK(parse_duration("2s") == std::optional<msocket::Duration>(2s));
  CHECK(parse_duration("2") == std::optional<msocket::Duration>(2s));
  CHECK(parse_duration("1.5m") == std::optional<msocket::Duration>(90s));
  CHECK(parse_duration("24h") == std::optional<msocket::Duration>(24h));
  CHECK(parse_duration("0") == std::optional<msocket::Duration>(0s));
}

TEST_CASE("bad durations are refused", "[cli]") {
  for (const char* bad : {"", "abc", "-1", "5x", "5 s", "s", "1e300", "nan", "ms"})
    CHECK_FALSE(parse_duration(bad).has_value());
}
