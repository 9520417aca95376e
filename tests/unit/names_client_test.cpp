// The pure parts of the name client: server URLs and version numbers. The
// client's traffic is tested against a real server in
// tests/integration/names_service_test.cpp.
#include <chrono>

#include <catch2/catch.hpp>

#include "names/client.hpp"

using namespace msocket::names;

TEST_CASE("server URLs: http://HOST:PORT or HOST:PORT", "[names]") {
  auto url = parse_server_url("http://127.0.0.1:7353");
  REQUIRE(url.has_value());
  CHECK(url->host == "127.0.0.1");
  CHECK(url->port == "7353");
  CHECK(parse_server_url("http://names.example:80/")->host == "names.example");
  CHECK(parse_server_url("localhost:7353")->port == "7353");
  url = parse_server_url("http://[::1]:7353");
  REQUIRE(url.has_value());
  CHECK(url->host == "::1");

  for (const char* bad : {"", "http://", "127.0.0.1", "http://127.0.0.1", "https://127.0.0.1:443", ":7353",
                          "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:12x", "http://127.0.0.1:7353/v1/names",
                          "[::1", "[::1]7353", "http://[]:1"}) {
    INFO(bad);
    CHECK(parse_server_url(bad).error() == name_error::bad_url);
  }
}

TEST_CASE("next_version exceeds the stored version and follows the clock", "[names]") {
  using namespace std::chrono;
  const auto now_us = static_cast<std::uint64_t>(
      duration_cast<microseconds>(system_clock::now().time_since_epoch()).count());
  CHECK(next_version(std::nullopt) >= now_us);
  CHECK(next_version(std::uint64_t{5}) >= now_us);
  const std::uint64_t future = now_us + 3'600'000'000;  // a record written by a clock an hour ahead
  CHECK(next_version(future) == future + 1);
  const auto a = next_version(std::nullopt);
  CHECK(next_version(a) > a);
}

TEST_CASE("name errors have messages fit for users", "[names]") {
  CHECK(make_error_code(name_error::wrong_owner).message() == "name is owned by another key");
  CHECK(make_error_code(name_error::not_found).message() == "no such name");
  CHECK(std::string(make_error_code(name_error::bad_url).category().name()) == "msocket.names");
}
