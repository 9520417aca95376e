// The path manager's multipath, advertisement and server decisions, driven
// by hand with a fake clock: the cases of the namespace tests
// multipath_aggregate, multipath_prefer, multipath_advertise,
// multipath_handover, names_server_move (the server's half).
#include "paths_fixture.hpp"

namespace msocket::paths {
namespace {

using namespace testing;

// A phone with Wi-Fi (eth0, 10.1.0.2) and cellular (eth1, 10.2.0.2),
// connected over Wi-Fi to 10.9.0.1:7000.
struct Phone {
  std::vector<LocalAddress> addresses{local("10.1.0.2", 2, "eth0"), local("10.2.0.2", 3, "eth1"),
                                      local("127.0.0.1", 1, "lo", 8), local("fe80::1", 2, "eth0", 64),
                                      local("2001:db8::2", 2, "eth0", 64)};
  PathManager manager;
  Decisions started;
  explicit Phone(PathPolicyConfig policy) : manager(config(std::move(policy)), addresses) {
    manager.set_remote(endpoint("10.9.0.1", 7000));
    manager.flowpath_up(flowpath(0, "10.1.0.2", "10.9.0.1"), std::nullopt, t0);
    started = manager.start(t0);
  }
  static PathManagerConfig config(PathPolicyConfig policy) {
    auto c = client_config();
    c.policy = std::move(policy);
    return c;
  }
  Decisions event(AddressEventKind kind, const std::string& address, unsigned ifindex, TimePoint at) {
    return manager.address_event(address_event(kind, address, ifindex), addresses, at);
  }
};

PathPolicyConfig all_addresses() {
  PathPolicyConfig p;
  p.all_addresses = true;
  return p;
}

TEST_CASE("PathManager: the single policy opens no other flowpath", "[paths]") {
  Phone phone({});
  CHECK(phone.started.empty());
  CHECK(phone.manager.policy().name() == "single");
}

TEST_CASE("PathManager: --paths all opens one flowpath from each other usable address", "[paths]") {
  Phone phone(all_addresses());
  const auto opens = all_of_type<OpenFlowpath>(phone.started);
  REQUIRE(opens.size() == 1);  // not Wi-Fi (it has one), loopback, link-local or IPv6 toward an IPv4 peer
  CHECK(opens[0].kind == AttemptKind::add_path);
  CHECK(opens[0].path == PathId{1});
  REQUIRE(opens[0].source);
  CHECK(opens[0].source->ifname == "eth1");
  CHECK(opens[0].remote == endpoint("10.9.0.1", 7000));
  CHECK(opens[0].timeout == 10s);  // the only address to try: the whole connect timeout
}

TEST_CASE("PathManager: -s opens from the addresses named, with --prefer's priorities", "[paths]") {
  PathPolicyConfig policy;
  policy.extra_sources = {make_address("10.2.0.2")};
  policy.prefer_interface = "eth1";
  Phone phone(policy);
  CHECK(phone.manager.policy().name() == "prefer");
  CHECK(only<OpenFlowpath>(phone.started).source->address == make_address("10.2.0.2"));
  CHECK(phone.manager.priority_of(make_address("10.2.0.2")) == PathPriority::regular);
  CHECK(phone.manager.priority_of(make_address("10.1.0.2")) == PathPriority::backup);
  CHECK(phone.manager.priority_of(make_address("192.0.2.1")) == PathPriority::backup);  // unknown
  Phone plain({});
  CHECK(plain.manager.priority_of(make_address("10.2.0.2")) == PathPriority::regular);
}

TEST_CASE("PathManager: an extra flowpath that cannot connect is tried again a retry interval later", "[paths]") {
  Phone phone(all_addresses());
  const auto open = only<OpenFlowpath>(phone.started);
  CHECK(phone.manager.attempt_failed(open.attempt, AttemptStage::connect, t0 + 10s).empty());
  CHECK(phone.manager.next_deadline() == t0 + 12s);
  const auto again = only<OpenFlowpath>(phone.manager.on_timer(t0 + 12s));
  CHECK(again.path == PathId{1});  // the same flowpath id from the same address
  // A refusal in the handshake is not retried.
  CHECK(phone.manager.attempt_failed(again.attempt, AttemptStage::handshake, t0 + 13s).empty());
  CHECK(phone.manager.next_deadline() == TimePoint::max());
}

TEST_CASE("PathManager: a new route starts hanging attempts over at once", "[paths]") {
  Phone phone(all_addresses());
  const auto open = only<OpenFlowpath>(phone.started);
  auto d = phone.event(AddressEventKind::route_added, "", 3, t0 + 1s);
  CHECK(only<AbandonAttempt>(d).attempt == open.attempt);
  CHECK(all_of_type<OpenFlowpath>(d).empty());
  const auto again = only<OpenFlowpath>(phone.manager.attempt_failed(open.attempt, AttemptStage::connect, t0 + 1s));
  CHECK(again.source->ifname == "eth1");
  CHECK(phone.manager.next_deadline() == TimePoint::max());  // no retry timer: it went again at once
}

TEST_CASE("PathManager: a lost address closes its flowpath, it comes back with the address", "[paths]") {
  Phone phone(all_addresses());
  const auto open = only<OpenFlowpath>(phone.started);
  phone.manager.flowpath_up(flowpath(1, "10.2.0.2", "10.9.0.1"), open.attempt, t0 + 100ms);
  phone.addresses.erase(phone.addresses.begin() + 1);
  auto d = phone.event(AddressEventKind::address_removed, "10.2.0.2", 3, t0 + 1s);
  CHECK(only<CloseFlowpath>(d).path == PathId{1});
  const auto replacement = only<OpenFlowpath>(d);  // the peer cannot hear that it died: replace it
  CHECK(replacement.path == PathId{1});
  CHECK(replacement.source->address == make_address("10.1.0.2"));
  CHECK(phone.manager.migrations().empty());  // the other flowpath carried on: no outage
  phone.addresses.push_back(local("10.2.0.2", 3, "eth1"));
  d = phone.event(AddressEventKind::address_added, "10.2.0.2", 3, t0 + 5s);
  const auto back = only<OpenFlowpath>(d);
  CHECK(back.path == PathId{1});
  CHECK(back.source->address == make_address("10.2.0.2"));
}

TEST_CASE("PathManager: the server's offered addresses order an extra flowpath's targets", "[paths]") {
  Phone phone(all_addresses());
  const auto first = only<OpenFlowpath>(phone.started);
  const PathManager::Endpoints offered{endpoint("10.9.0.1", 7000), endpoint("10.2.0.1", 7000),
                                       endpoint("2001:db8::1", 7000)};
  auto d = phone.manager.peer_addresses(offered, false, t0 + 1s);
  CHECK(only<AbandonAttempt>(d).attempt == first.attempt);
  const auto on_subnet = only<OpenFlowpath>(phone.manager.attempt_failed(first.attempt, AttemptStage::connect, t0 + 1s));
  CHECK(on_subnet.remote == endpoint("10.2.0.1", 7000));  // eth1's own network first
  CHECK(on_subnet.timeout == 2s);                          // another address follows
  const auto then = only<OpenFlowpath>(phone.manager.attempt_failed(on_subnet.attempt, AttemptStage::connect, t0 + 3s));
  CHECK(then.remote == endpoint("10.9.0.1", 7000));
  CHECK(then.timeout == 10s);
  // The same list again is no news; a client's list (port 0) never is.
  CHECK(phone.manager.peer_addresses(offered, false, t0 + 4s).empty());
  CHECK(phone.manager.peer_addresses({endpoint("10.5.0.1", 0)}, false, t0 + 4s).empty());
}

TEST_CASE("PathManager: no new flowpath once both directions of the stream are done", "[paths]") {
  Phone phone(all_addresses());
  const auto open = only<OpenFlowpath>(phone.started);
  phone.manager.stream_closing();
  phone.manager.attempt_failed(open.attempt, AttemptStage::connect, t0 + 1s);
  CHECK(phone.manager.on_timer(t0 + 3s).empty());
}

TEST_CASE("PathManager: addresses are advertised as the peer can use them, and again on change", "[paths]") {
  Phone phone({});
  const auto advert = only<Advertise>(phone.manager.advertise(0));
  CHECK(advert.port == 0);
  // Both families: the phone may move to an IPv6-only network, or the server.
  CHECK(advert.addresses ==
        std::vector{make_address("10.1.0.2"), make_address("10.2.0.2"), make_address("2001:db8::2")});
  CHECK(phone.event(AddressEventKind::link_up, "", 3, t0).empty());  // nothing changed
  phone.addresses.push_back(local("10.3.0.2", 4, "eth2"));
  CHECK(only<Advertise>(phone.event(AddressEventKind::address_added, "10.3.0.2", 4, t0)).addresses.size() == 4);
  // Each new flowpath writes them again: it may be the only one left.
  only<Advertise>(phone.manager.flowpath_up(flowpath(0, "10.1.0.2", "10.9.0.1"), std::nullopt, t0 + 1s));
}

TEST_CASE("PathManager: a server drops the flowpaths on a removed address and never reconnects", "[paths]") {
  auto config = client_config();
  config.role = Role::server;
  std::vector<LocalAddress> addresses{local("10.0.2.2", 2, "eth0"), local("10.0.6.2", 2, "eth0")};
  PathManager server(config, addresses);
  // A dual-stack listener sees its own addresses IPv4-mapped.
  server.flowpath_up(FlowpathInfo{PathId{0}, endpoint("::ffff:10.0.2.2", 7000), endpoint("::ffff:10.0.1.2", 40000), t0},
                     std::nullopt, t0);
  CHECK(only<Advertise>(server.advertise(7000)).addresses ==
        std::vector{make_address("10.0.2.2"), make_address("10.0.6.2")});
  addresses.erase(addresses.begin());
  const auto d = server.address_event(address_event(AddressEventKind::address_removed, "10.0.2.2"), addresses, t0 + 1s);
  const auto close = only<CloseFlowpath>(d);
  CHECK(close.cause == MigrationCause::server_move);
  CHECK(close.why == "local address 10.0.2.2 removed");
  CHECK(all_of_type<OpenFlowpath>(d).empty());
  CHECK(all_of_type<Advertise>(d).empty());  // no flowpath left to carry it; the next one will
  CHECK(server.next_deadline() == TimePoint::max());
}

}  // namespace
}  // namespace msocket::paths
