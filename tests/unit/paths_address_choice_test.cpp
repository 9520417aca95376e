// The one rule for choosing addresses (paths/address_choice.hpp) and the
// path policies made by name.
#include "paths_fixture.hpp"
#include "paths/address_choice.hpp"

namespace msocket::paths {
namespace {

using namespace testing;

TEST_CASE("address choice: which of our addresses can reach a peer's", "[paths]") {
  struct Case {
    const char* local;
    const char* peer;
    bool usable;
  };
  const Case cases[] = {
      {"10.0.0.2", "10.9.0.1", true},
      {"10.0.0.2", "::ffff:10.9.0.1", true},       // a dual-stack socket's view of an IPv4 peer
      {"10.0.0.2", "2001:db8::1", false},          // another family
      {"2001:db8::2", "2001:db8::1", true},
      {"fe80::2", "2001:db8::1", false},           // link-local: needs a scope the peer cannot know
      {"::ffff:10.0.0.2", "2001:db8::1", false},   // IPv4 in disguise
      {"127.0.0.1", "10.9.0.1", false},            // loopback only toward loopback
      {"127.0.0.1", "127.0.0.1", true},
      {"10.0.0.2", "127.0.0.1", false},
      {"0.0.0.0", "10.9.0.1", false},
      {"10.0.0.2", "0.0.0.0", false},
  };
  for (const auto& c : cases) {
    INFO(c.local << " toward " << c.peer);
    CHECK(usable_toward(make_address(c.local), make_address(c.peer)) == c.usable);
  }
}

TEST_CASE("address choice: our address for a peer prefers its subnet", "[paths]") {
  const std::vector<LocalAddress> ours{local("127.0.0.1", 1, "lo", 8), local("10.0.1.2", 2, "eth0"),
                                       local("10.0.6.2", 3, "eth1"), local("2001:db8::2", 2, "eth0", 64)};
  CHECK(address_for(ours, make_address("10.0.6.9")) == make_address("10.0.6.2"));
  CHECK(address_for(ours, make_address("192.0.2.1")) == make_address("10.0.1.2"));  // the first usable
  CHECK(address_for(ours, make_address("::ffff:10.0.6.9")) == make_address("10.0.6.2"));
  CHECK(address_for(ours, make_address("2001:db8::9")) == make_address("2001:db8::2"));
  CHECK_FALSE(address_for({local("127.0.0.1", 1, "lo", 8)}, make_address("10.0.6.9")));
  // Offered for later flowpaths: either family, since either end may move to the other.
  CHECK(addresses_to_offer(ours, make_address("10.9.9.9")) ==
        std::vector{make_address("10.0.1.2"), make_address("10.0.6.2"), make_address("2001:db8::2")});
  CHECK(addresses_to_offer(ours, make_address("127.0.0.1")) == std::vector{make_address("127.0.0.1")});
  CHECK_FALSE(offerable_to(make_address("fe80::2"), make_address("2001:db8::1")));
}

TEST_CASE("address choice: a flowpath's targets, its own subnet first, then the address connected to", "[paths]") {
  const auto wifi = local("10.1.0.2", 2, "eth0");
  const std::vector offered{endpoint("10.9.0.1", 7000), endpoint("10.1.0.1", 7000), endpoint("2001:db8::1", 7000),
                            endpoint("10.7.0.1", 7000)};
  CHECK(remotes_for(wifi, endpoint("10.9.0.1", 7000), offered) ==
        std::vector{endpoint("10.1.0.1", 7000), endpoint("10.9.0.1", 7000), endpoint("10.7.0.1", 7000)});
  CHECK(remotes_for(wifi, std::nullopt, {}).empty());
  const auto v6 = local("2001:db8::2", 2, "eth0", 64);
  CHECK(remotes_for(v6, endpoint("10.9.0.1", 7000), offered) ==
        std::vector{endpoint("2001:db8::1", 7000), endpoint("10.9.0.1", 7000)});
}

TEST_CASE("address choice: finding an address among ours, IPv4-mapped and scoped ones included", "[paths]") {
  const std::vector<LocalAddress> ours{local("10.0.1.2", 2, "eth0"), local("fe80::1", 3, "eth1", 64)};
  CHECK(find_in(ours, make_address("::ffff:10.0.1.2"))->ifname == "eth0");
  CHECK(find_in(ours, make_address("fe80::1"))->ifname == "eth1");  // no scope: any interface
  CHECK_FALSE(find_in(ours, make_address("10.0.1.3")));
  CHECK(unmapped(make_address("::ffff:10.0.1.2")) == make_address("10.0.1.2"));
  CHECK(unmapped(make_address("2001:db8::1")) == make_address("2001:db8::1"));
}

TEST_CASE("path policies: made by name from what mcat is given", "[paths]") {
  const auto wifi = local("10.1.0.2", 2, "eth0");
  const auto cell = local("10.2.0.2", 3, "eth1");
  const auto lo = local("127.0.0.1", 1, "lo", 8);
  const auto remote = endpoint("10.9.0.1", 7000);
  CHECK(make_path_policy({})->name() == "single");
  CHECK_FALSE(make_path_policy({})->wants_extra_path(cell, remote));

  PathPolicyConfig sources;
  sources.extra_sources = {make_address("::ffff:10.2.0.2")};
  auto policy = make_path_policy(sources);
  CHECK(policy->name() == "sources");
  CHECK(policy->wants_extra_path(cell, remote));
  CHECK_FALSE(policy->wants_extra_path(wifi, remote));

  PathPolicyConfig all;
  all.all_addresses = true;
  policy = make_path_policy(all);
  CHECK(policy->name() == "all-addresses");
  CHECK(policy->wants_extra_path(cell, remote));
  CHECK_FALSE(policy->wants_extra_path(lo, remote));
  CHECK(policy->priority(cell) == PathPriority::regular);

  all.prefer_interface = "eth0";
  policy = make_path_policy(all);
  CHECK(policy->name() == "prefer");
  CHECK(policy->wants_extra_path(cell, remote));  // what the inner policy wants
  CHECK(policy->priority(wifi) == PathPriority::regular);
  CHECK(policy->priority(cell) == PathPriority::backup);
  CHECK(policy->priority(std::nullopt) == PathPriority::backup);
}

}  // namespace
}  // namespace msocket::paths
