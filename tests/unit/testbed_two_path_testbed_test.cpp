// The two-path testbed, built as root with a stand-in for the link emulator
// (testbed_netns.hpp): both paths reach the server, a path's address comes
// and goes, the counters count, and nothing is left behind.
#include <string>

#include <catch2/catch.hpp>

#include "testbed/files.hpp"
#include "testbed/two_path_testbed.hpp"
#include "testbed_netns.hpp"

namespace testbed = msocket::testbed;
using testbed::TwoPathTestbed;
using testbed::test::namespace_exists;
using testbed::test::ping;

TEST_CASE("the default paths are the paper's WiFi and LTE", "[testbed]") {
  const auto paths = testbed::default_path_shapes();
  CHECK(paths[0].name == "wifi");
  CHECK(paths[0].rtt == std::chrono::milliseconds(80));
  CHECK(paths[0].rate == 40'000'000);
  CHECK(paths[1].name == "lte");
  CHECK(paths[1].rtt == std::chrono::milliseconds(145));
  CHECK(paths[1].rate == 20'000'000);
}

TEST_CASE("the two-path testbed reaches the server by either path", "[testbed][netns]") {
  if (!testbed::test::namespaces_available()) return;
  const testbed::TemporaryDirectory logs("testbed-two-path");
  std::string client, router, server;
  {
    TwoPathTestbed bed(testbed::test::test_names(), testbed::default_path_shapes(),
                       testbed::test::fake_link_emulator(), logs.path());
    client = bed.client_namespace();
    router = bed.router_namespace();
    server = bed.server_namespace();
    CHECK(bed.path(1).name == "lte");
    const auto before = bed.client_device_bytes();
    ping(client, TwoPathTestbed::server_address(), TwoPathTestbed::client_address(0));
    ping(client, TwoPathTestbed::server_address(), TwoPathTestbed::client_address(1));
    const auto after = bed.client_device_bytes();
    for (std::size_t i = 0; i < TwoPathTestbed::kPaths; ++i) {
      CHECK(after[i].sent > before[i].sent);
      CHECK(after[i].received > before[i].received);
    }

    bed.remove_client_address(0);
    CHECK_FALSE(bed.has_client_address(0));
    CHECK_THROWS(ping(client, TwoPathTestbed::server_address(), TwoPathTestbed::client_address(0)));
    ping(client, TwoPathTestbed::server_address());  // the other path's default route
    bed.restore_client_address(0);
    ping(client, TwoPathTestbed::server_address(), TwoPathTestbed::client_address(0));
    bed.prefer_path(1);
    ping(client, TwoPathTestbed::server_address());
  }
  for (const auto& ns : {client, router, server}) CHECK_FALSE(namespace_exists(ns));
}
