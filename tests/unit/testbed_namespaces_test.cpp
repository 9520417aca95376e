// Network namespaces: names, command lines and batches (pure), and, as root,
// namespaces that are created, owned and removed again.
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "testbed/child_process.hpp"
#include "testbed/files.hpp"
#include "testbed/namespaces.hpp"
#include "testbed_netns.hpp"

namespace testbed = msocket::testbed;
using testbed::test::namespace_exists;
using Argv = std::vector<std::string>;

TEST_CASE("a command runs in a namespace through ip netns exec", "[testbed]") {
  CHECK(testbed::in_namespace(std::string("ns1"), {"sysctl", "-q"}) == Argv{"ip", "netns", "exec", "ns1", "sysctl", "-q"});
  CHECK(testbed::in_namespace(std::optional<std::string>("ns1"), {"true"}) == Argv{"ip", "netns", "exec", "ns1", "true"});
  CHECK(testbed::in_namespace(std::optional<std::string>(), {"true"}) == Argv{"true"});
}

TEST_CASE("a testbed's names carry its owner's id", "[testbed]") {
  const testbed::TestbedNames names{"mbench", "mb", "4242"};
  CHECK(names.namespace_name("cli") == "mbench-4242-cli");
  CHECK(names.device_name('c') == "mb4242c");
  const auto mine = testbed::TestbedNames::for_this_process("tbtest", "tb");
  CHECK(mine.id == std::to_string(::getpid()));
  CHECK(mine.device_name('v').size() <= 15);  // a device name's limit
}

TEST_CASE("the commands that build a namespace and a veth pair", "[testbed]") {
  CHECK(testbed::namespace_add_commands("n") ==
        std::vector<Argv>{{"ip", "netns", "add", "n"}, {"ip", "-n", "n", "link", "set", "lo", "up"}});
  CHECK(testbed::veth_pair_command("a", "da", "b", "db") ==
        Argv{"ip", "link", "add", "da", "netns", "a", "type", "veth", "peer", "name", "db", "netns", "b"});
  CHECK(testbed::ip_batch_text({"addr add 10.0.0.1/24 dev x", "link set x up"}) ==
        "addr add 10.0.0.1/24 dev x\nlink set x up\n");
  CHECK(testbed::ip_batch_text({}).empty());
}

TEST_CASE("owned namespaces are created with loopback up and removed", "[testbed][netns]") {
  if (!testbed::test::namespaces_available()) return;
  const auto names = testbed::test::test_names();
  const auto first = names.namespace_name("one"), second = names.namespace_name("two");
  {
    testbed::OwnedNamespaces owned;
    owned.add(first);
    owned.add(second);
    CHECK(owned.names() == Argv{first, second});
    CHECK(namespace_exists(first));
    testbed::run_command(testbed::in_namespace(first, {"ping", "-c", "1", "-W", "2", "127.0.0.1"}));
    CHECK_THROWS(owned.add(first));  // already there: ip(8) refuses, nothing more is owned
    CHECK(owned.names().size() == 2);
    owned.remove();
    CHECK(owned.names().empty());
    CHECK_FALSE(namespace_exists(first));
    owned.add(first);
  }  // the destructor removes what is left
  CHECK_FALSE(namespace_exists(first));
  CHECK_FALSE(namespace_exists(second));
}

namespace {

// The namespaces of a line topology, nothing more.
struct BareLine : testbed::LineTestbed {
  BareLine(const testbed::TestbedNames& names, const std::function<void(const std::string&)>& prepare)
      : LineTestbed(names, "this test", "it builds namespaces", prepare) {}
};

}  // namespace

TEST_CASE("a line topology's namespaces are client, router, server, each prepared at once", "[testbed][netns]") {
  if (!testbed::test::namespaces_available()) return;
  const auto names = testbed::test::test_names();
  std::vector<std::string> prepared;
  {
    const BareLine line(names, [&](const std::string& ns) {
      CHECK(namespace_exists(ns));
      prepared.push_back(ns);
    });
    CHECK(line.client_namespace() == names.namespace_name("cli"));
    CHECK(line.router_namespace() == names.namespace_name("rtr"));
    CHECK(line.server_namespace() == names.namespace_name("srv"));
    CHECK(prepared == Argv{line.client_namespace(), line.router_namespace(), line.server_namespace()});
    testbed::enable_forwarding(line.router_namespace());
  }
  for (const auto& ns : prepared) CHECK_FALSE(namespace_exists(ns));
}

TEST_CASE("an ip batch runs in its namespace and tells when it started", "[testbed][netns]") {
  if (!testbed::test::namespaces_available()) return;
  const testbed::TemporaryDirectory scratch("testbed-namespaces");
  testbed::OwnedNamespaces owned;
  const auto ns = testbed::test::test_names().namespace_name("batch");
  owned.add(ns);
  const auto before = std::chrono::system_clock::now();
  const auto started = testbed::run_ip_batch(ns, {"addr add 10.99.0.1/32 dev lo"}, scratch.path() / "batch");
  CHECK(started >= before);
  CHECK(started <= std::chrono::system_clock::now());
  testbed::run_command(testbed::in_namespace(ns, {"ping", "-c", "1", "-W", "2", "10.99.0.1"}));
  CHECK_THROWS_WITH(testbed::run_ip_batch(ns, {"addr add 10.99.0.1/32 dev no-such-device"}, scratch.path() / "batch"),
                    Catch::Contains("-batch"));
}

TEST_CASE("require_root_and_ip lets root with ip(8) through", "[testbed][netns]") {
  if (!testbed::test::namespaces_available()) return;
  CHECK_NOTHROW(testbed::require_root_and_ip("this test", "it builds namespaces"));
}
