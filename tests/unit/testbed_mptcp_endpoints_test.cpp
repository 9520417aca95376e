// Kernel MPTCP's settings and endpoints as ip(8) command lines (pure).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "testbed/mptcp_endpoints.hpp"

namespace testbed = msocket::testbed;
using Argv = std::vector<std::string>;

TEST_CASE("MPTCP's limits leave room for two subflows", "[testbed]") {
  CHECK(testbed::mptcp_limits_command("srv") ==
        Argv{"ip", "-n", "srv", "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2"});
}

TEST_CASE("path i's endpoint has id i + 1", "[testbed]") {
  CHECK(testbed::subflow_endpoint_add_command("cli", "10.232.0.2", "eth1", 1) ==
        Argv{"ip", "-n", "cli", "mptcp", "endpoint", "add", "10.232.0.2", "dev", "eth1", "id", "2", "subflow"});
  CHECK(testbed::endpoint_delete_command("cli", 0) == Argv{"ip", "-n", "cli", "mptcp", "endpoint", "delete", "id", "1"});
  CHECK(testbed::endpoint_flush_command("cli") == Argv{"ip", "-n", "cli", "mptcp", "endpoint", "flush"});
}
