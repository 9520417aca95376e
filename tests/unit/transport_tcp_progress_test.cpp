// How often a connection looks at its flowpaths' TCP progress
// (transport/tcp_progress.hpp): often while the session awaits room,
// otherwise about twice per round trip.
#include <catch2/catch.hpp>

#include "transport/tcp_progress.hpp"

namespace msocket::transport {
namespace {

using namespace std::chrono_literals;

TEST_CASE("tcp progress: looked at every 5 ms while the session awaits room", "[transport]") {
  CHECK(tcp_progress_interval(true, 100'000) == kTcpProgressInterval);
  CHECK(tcp_progress_interval(true, 0) == kTcpProgressInterval);
}

TEST_CASE("tcp progress: otherwise every half RTT, within bounds", "[transport]") {
  CHECK(tcp_progress_interval(false, 0) == kTcpProgressInterval);  // no RTT yet
  CHECK(tcp_progress_interval(false, 100'000) == 50ms);
  CHECK(tcp_progress_interval(false, 1'000) == kTcpProgressInterval);  // loopback: never below 5 ms
  CHECK(tcp_progress_interval(false, 2'000'000) == kLongestTcpProgressInterval);
}

}  // namespace
}  // namespace msocket::transport
