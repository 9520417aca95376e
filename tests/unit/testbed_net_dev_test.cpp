#include <string>

#include <catch2/catch.hpp>

#include "testbed/net_dev.hpp"

namespace testbed = msocket::testbed;

namespace {

// /proc/net/dev as Linux 6.x writes it (received: bytes packets errs drop
// fifo frame compressed multicast; then sent: bytes packets ...).
const std::string kNetDev =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
    "    lo:    1234      10    0    0    0     0          0         0     1234      10    0    0    0     0       0          0\n"
    "  eth0: 987654321 700000  1    2    0     0          0         3 123456789  90000    0    0    0     0       0          0\n"
    "  eth1:       0       0    0    0    0     0          0         0        42      1    0    0    0     0       0          0\n";

}  // namespace

TEST_CASE("parse_net_dev reads an interface's received and sent bytes", "[testbed]") {
  const auto eth0 = testbed::parse_net_dev(kNetDev, "eth0");
  REQUIRE(eth0);
  CHECK(eth0->received == 987654321);
  CHECK(eth0->sent == 123456789);
  const auto eth1 = testbed::parse_net_dev(kNetDev, "eth1");
  REQUIRE(eth1);
  CHECK(eth1->received == 0);
  CHECK(eth1->sent == 42);
  CHECK(testbed::parse_net_dev(kNetDev, "lo")->sent == 1234);
}

TEST_CASE("parse_net_dev finds no interface that is not listed or not whole", "[testbed]") {
  CHECK_FALSE(testbed::parse_net_dev(kNetDev, "eth"));   // a prefix is not a name
  CHECK_FALSE(testbed::parse_net_dev(kNetDev, "eth2"));
  CHECK_FALSE(testbed::parse_net_dev("", "eth0"));
  CHECK_FALSE(testbed::parse_net_dev("  eth0: 1 2 3\n", "eth0"));  // fewer than nine numbers
  CHECK_FALSE(testbed::parse_net_dev("  eth0: 1 2 3 x 5 6 7 8 9\n", "eth0"));
  CHECK(testbed::parse_net_dev("eth0:1 2 3 4 5 6 7 8 9", "eth0")->sent == 9);  // no newline at the end
}
