// Choosing relays by connect time (proxy/relay_choice.hpp): the order of
// mcat --relays and --proxy auto, and which relay gives way after a move.
#include <catch2/catch.hpp>

#include "proxy/relay_choice.hpp"

namespace msocket::proxy {
namespace {

using namespace std::chrono_literals;
using Swaps = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("relay choice: nearest first, out of reach last, ties as given", "[proxy]") {
  const std::vector<RelayDistance> d{{"a:1", 30ms}, {"b:1", std::nullopt}, {"c:1", 5ms}, {"d:1", 30ms}};
  CHECK(by_distance(d) == std::vector<std::string>{"c:1", "a:1", "d:1", "b:1"});
}

TEST_CASE("relay choice: of relays as near, the least loaded first", "[proxy]") {
  // On a LAN every relay is within 2 ms: load decides.
  const std::vector<RelayDistance> lan{{"busy:1", 300us, 900}, {"idle:1", 1200us, 10}, {"half:1", 500us, 500}};
  CHECK(by_distance(lan) == std::vector<std::string>{"idle:1", "half:1", "busy:1"});
  // Farther than a quarter (and 2 ms): distance decides, whatever the load.
  const std::vector<RelayDistance> wan{{"near:1", 20ms, 900}, {"far:1", 40ms, 0}, {"close:1", 24ms, 100}};
  CHECK(by_distance(wan) == std::vector<std::string>{"close:1", "near:1", "far:1"});
  // Out of reach stays last, however idle.
  CHECK(by_distance({{"gone:1", std::nullopt, 0}, {"full:1", 1ms, 1000}}) ==
        std::vector<std::string>{"full:1", "gone:1"});
  CHECK(as_near(20ms, 24ms));
  CHECK_FALSE(as_near(20ms, 26ms));
  CHECK(as_near(100us, 2000us));
}

TEST_CASE("relay choice: after a move a much nearer relay takes the farthest one's place", "[proxy]") {
  const std::vector<RelayDistance> d{{"far:1", 80ms}, {"mid:1", 20ms}, {"near:1", 10ms}, {"spare:1", 60ms}};
  // far (80) > 2 x near (10): gives way; mid (20) is not > 2 x spare (60).
  CHECK(nearer_relays(d, {"far:1", "mid:1"}) == Swaps{{"far:1", "near:1"}});
  // Nothing nearer enough: nothing moves.
  CHECK(nearer_relays(d, {"near:1", "mid:1"}).empty());
}

TEST_CASE("relay choice: one in use out of reach gives way to any reachable one", "[proxy]") {
  const std::vector<RelayDistance> d{{"gone:1", std::nullopt}, {"slow:1", 50ms}};
  CHECK(nearer_relays(d, {"gone:1"}) == Swaps{{"gone:1", "slow:1"}});
  // None reachable to go to: stays.
  CHECK(nearer_relays({{"gone:1", std::nullopt}, {"also:1", std::nullopt}}, {"gone:1"}).empty());
}

TEST_CASE("relay choice: on a LAN, noise of under 2 ms moves nothing", "[proxy]") {
  const std::vector<RelayDistance> d{{"a:1", 900us}, {"b:1", 200us}};
  CHECK(nearer_relays(d, {"a:1"}).empty());
}

}  // namespace
}  // namespace msocket::proxy
