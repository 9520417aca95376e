// Entering a namespace from a thread, and a /proc file opened inside one.
// Needs root (testbed_netns.hpp).
#include <net/if.h>
#include <unistd.h>

#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "testbed/child_process.hpp"
#include "testbed/namespace_entry.hpp"
#include "testbed/namespaces.hpp"
#include "testbed/net_dev.hpp"
#include "testbed_netns.hpp"

namespace testbed = msocket::testbed;

namespace {

// A namespace with a veth pair of its own, tbin0 <-> tbin1.
struct NamespaceWithDevice {
  NamespaceWithDevice() : name(testbed::test::test_names().namespace_name("entry")) {
    owned.add(name);
    testbed::run_command({"ip", "-n", name, "link", "add", "tbin0", "type", "veth", "peer", "name", "tbin1"});
  }
  std::string name;
  testbed::OwnedNamespaces owned;
};

}  // namespace

TEST_CASE("run_in_namespace runs its work inside, on a thread of its own", "[testbed][netns]") {
  if (!testbed::test::namespaces_available()) return;
  const NamespaceWithDevice ns;
  REQUIRE(::if_nametoindex("tbin0") == 0);  // not here
  unsigned inside = 0;
  testbed::run_in_namespace(ns.name, [&] { inside = ::if_nametoindex("tbin0"); });
  CHECK(inside != 0);
  CHECK(::if_nametoindex("tbin0") == 0);  // this thread never moved
  CHECK_THROWS_AS(testbed::run_in_namespace(ns.name, [] { throw std::logic_error("from inside"); }), std::logic_error);
  CHECK_THROWS_WITH(testbed::run_in_namespace("tbtest-no-such-namespace", [] {}),
                    Catch::StartsWith("cannot open /run/netns/tbtest-no-such-namespace"));
}

TEST_CASE("a /proc file opened inside a namespace shows that namespace", "[testbed][netns]") {
  if (!testbed::test::namespaces_available()) return;
  const NamespaceWithDevice ns;
  const int fd = testbed::open_in_namespace(ns.name, "/proc/thread-self/net/dev");
  std::string text(16384, '\0');
  const auto n = ::pread(fd, text.data(), text.size(), 0);
  ::close(fd);
  REQUIRE(n > 0);
  text.resize(static_cast<std::size_t>(n));
  CHECK(testbed::parse_net_dev(text, "tbin0"));
  CHECK(testbed::parse_net_dev(text, "lo"));
  CHECK(::if_nametoindex("tbin0") == 0);  // and we are back where we were
  CHECK_THROWS_WITH(testbed::open_in_namespace("tbtest-no-such-namespace", "/proc/thread-self/net/dev"),
                    Catch::StartsWith("cannot open /proc/thread-self/net/dev in tbtest-no-such-namespace"));
}
