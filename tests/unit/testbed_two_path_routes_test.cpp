// The client's addresses and routes on the two-path testbed, as ip(8)
// batch commands (pure).
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "testbed/two_path_routes.hpp"

using msocket::testbed::TwoPathRoutes;
using Lines = std::vector<std::string>;

TEST_CASE("each path has its own link, devices and source rule", "[testbed]") {
  CHECK(TwoPathRoutes::client_device(0) == "eth0");
  CHECK(TwoPathRoutes::client_address(1) == "10.232.0.2");
  CHECK(TwoPathRoutes::router_device(0) == "wifi0");
  CHECK(TwoPathRoutes::router_device(1) == "lte0");
  CHECK(TwoPathRoutes::router_address(0) == "10.231.0.1");
  CHECK(TwoPathRoutes().source_rules() ==
        Lines{"rule add from 10.231.0.2 table 100", "rule add from 10.232.0.2 table 101"});
}

TEST_CASE("attaching a path gives its address and routes, preferred or not", "[testbed]") {
  TwoPathRoutes routes;
  CHECK(routes.preferred() == 0);
  CHECK(routes.attach(1) == Lines{"addr replace 10.232.0.2 peer 10.232.0.1 dev eth1",
                                  "route flush exact 0.0.0.0/0 dev eth1 table main",
                                  "route add default dev eth1 metric 200",
                                  "route replace default dev eth1 table 101"});
  CHECK(routes.attach(0)[2] == "route add default dev eth0 metric 100");
}

TEST_CASE("preferring a path flushes every default route before adding any", "[testbed]") {
  TwoPathRoutes routes;
  CHECK(routes.prefer(1) == Lines{"route flush exact 0.0.0.0/0 dev eth0 table main",
                                  "route flush exact 0.0.0.0/0 dev eth1 table main",
                                  "route add default dev eth0 metric 200",
                                  "route add default dev eth1 metric 100"});
  CHECK(routes.preferred() == 1);
}

TEST_CASE("a detached path keeps no routes and is left out of a preference", "[testbed]") {
  TwoPathRoutes routes;
  CHECK(routes.detach(0) == Lines{"addr del 10.231.0.2 peer 10.231.0.1 dev eth0"});
  CHECK_FALSE(routes.attached(0));
  CHECK(routes.attached(1));
  CHECK_THROWS_AS(routes.detach(0), std::logic_error);
  CHECK(routes.prefer(1) == Lines{"route flush exact 0.0.0.0/0 dev eth1 table main",
                                  "route add default dev eth1 metric 100"});
  routes.attach(0);
  CHECK(routes.attached(0));
  CHECK(routes.prefer(0).size() == 4);
}
