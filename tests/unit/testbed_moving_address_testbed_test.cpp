// The address-move testbed, built as root with a stand-in for the link
// emulator (testbed_netns.hpp): both ends move, drop off and come back,
// and still reach each other.
#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "testbed/files.hpp"
#include "testbed/moving_address_testbed.hpp"
#include "testbed_netns.hpp"

using namespace std::chrono_literals;
namespace testbed = msocket::testbed;
using testbed::test::namespace_exists;
using testbed::test::ping;

TEST_CASE("the address-move testbed keeps its ends in touch across moves", "[testbed][netns]") {
  if (!testbed::test::namespaces_available()) return;
  const testbed::TemporaryDirectory logs("testbed-moves");
  std::string client, server;
  {
    testbed::MovingAddressTestbed bed(testbed::test::test_names(), 20ms, testbed::test::fake_link_emulator(),
                                      logs.path());
    client = bed.client_namespace();
    server = bed.server_namespace();
    CHECK(bed.client_address() == "10.211.1.2");
    CHECK(bed.server_address() == "10.212.1.2");
    ping(client, bed.server_address());
    ping(client, testbed::MovingAddressTestbed::kRouterAddress);

    const auto before = std::chrono::system_clock::now();
    const auto moved = bed.move_client();
    CHECK(moved >= before);
    CHECK(bed.client_address() == "10.211.2.2");
    bed.move_server();
    CHECK(bed.server_address() == "10.212.2.2");
    ping(client, bed.server_address(), bed.client_address());

    bed.drop_client();
    bed.drop_server();
    CHECK(bed.client_address().empty());
    CHECK(bed.server_address().empty());
    bed.attach_client();
    bed.attach_server();
    CHECK(bed.client_address() == "10.211.3.2");
    ping(server, bed.client_address());
  }
  CHECK_FALSE(namespace_exists(client));
  CHECK_FALSE(namespace_exists(server));
}
