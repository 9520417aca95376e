// The veth pair testbed: tc tbf's bucket (pure) and, as root, two
// namespaces that reach each other and vanish with the testbed.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "testbed/veth_pair_testbed.hpp"
#include "testbed_netns.hpp"

namespace testbed = msocket::testbed;
using testbed::test::namespace_exists;

TEST_CASE("tbf's bucket holds 10 ms at the rate, and at least 32 KiB", "[testbed]") {
  CHECK(testbed::tbf_burst_bytes(1'000'000) == 32 * 1024);             // 1 Mbit/s: 10 ms is 1250 bytes
  CHECK(testbed::tbf_burst_bytes(1'000'000'000) == 1'250'000);         // 1 Gbit/s: 10 ms is 1.25 MB
  CHECK(testbed::tbf_burst_bytes(26'214'400) == 32 * 1024);            // exactly 32 KiB in 10 ms
  CHECK(testbed::tbf_command("ns", "dev0", 100'000'000) ==
        std::vector<std::string>{"ip", "netns", "exec", "ns", "tc", "qdisc", "add", "dev", "dev0", "root", "tbf",
                                 "rate", "100000000bit", "burst", "125000", "latency", "50ms"});
}

TEST_CASE("a veth pair testbed joins two namespaces until it goes", "[testbed][netns]") {
  if (!testbed::test::namespaces_available()) return;
  const auto names = testbed::test::test_names();
  std::string sender, receiver;
  for (const testbed::BitsPerSecond rate : {testbed::BitsPerSecond{0}, testbed::BitsPerSecond{100'000'000}}) {
    {
      const testbed::VethPairTestbed pair(names, rate);
      sender = pair.sender_namespace();
      receiver = pair.receiver_namespace();
      CHECK(sender == names.namespace_name("snd"));
      CHECK(receiver == names.namespace_name("rcv"));
      CHECK(pair.receiver_address() == "10.77.0.2");
      testbed::test::ping(sender, pair.receiver_address());
    }
    CHECK_FALSE(namespace_exists(sender));
    CHECK_FALSE(namespace_exists(receiver));
  }
}
