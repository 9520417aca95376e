// An end's moving address as ip(8) batch commands (pure): delete before
// add, the subnet going round 1..250.
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "testbed/moving_address.hpp"

using msocket::testbed::MovingAddress;
using Lines = std::vector<std::string>;

namespace {

MovingAddress client() {
  return MovingAddress("10.211.", " peer 10.210.0.1", "mbc", "route replace default dev mbc");
}

}  // namespace

TEST_CASE("an end starts on subnet 1 with its address and default route", "[testbed]") {
  const auto end = client();
  CHECK(end.address() == "10.211.1.2");
  CHECK(end.attached());
  CHECK(end.device() == "mbc");
  CHECK(end.add_commands() == Lines{"addr add 10.211.1.2 peer 10.210.0.1 dev mbc", "route replace default dev mbc"});
  MovingAddress server("10.212.", "/16", "mbv", "route replace default via 10.212.0.1 dev mbv");
  CHECK(server.add_commands().front() == "addr add 10.212.1.2/16 dev mbv");
}

TEST_CASE("a move deletes the address, then adds the next with its route", "[testbed]") {
  auto end = client();
  CHECK(end.move() == Lines{"addr del 10.211.1.2 peer 10.210.0.1 dev mbc",
                            "addr add 10.211.2.2 peer 10.210.0.1 dev mbc", "route replace default dev mbc"});
  CHECK(end.address() == "10.211.2.2");
  CHECK(end.subnet() == 2);
}

TEST_CASE("a dropped address leaves nothing to delete at the next move", "[testbed]") {
  auto end = client();
  CHECK(end.drop() == Lines{"addr del 10.211.1.2 peer 10.210.0.1 dev mbc"});
  CHECK(end.address().empty());
  CHECK_FALSE(end.attached());
  CHECK_THROWS_AS(end.drop(), std::logic_error);
  CHECK(end.move() == Lines{"addr add 10.211.2.2 peer 10.210.0.1 dev mbc", "route replace default dev mbc"});
  end.drop();
  CHECK(end.attach() == Lines{"addr add 10.211.3.2 peer 10.210.0.1 dev mbc", "route replace default dev mbc"});
  CHECK(end.attached());
}

TEST_CASE("the subnets go round after 250", "[testbed]") {
  auto end = client();
  for (unsigned i = 1; i < MovingAddress::kSubnets; ++i) end.move();
  CHECK(end.address() == "10.211.250.2");
  end.move();
  CHECK(end.address() == "10.211.1.2");
}
