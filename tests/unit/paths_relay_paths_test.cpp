// Multipath through relays, driven by hand with a fake clock: a client
// that reached a listener through one relay (by name) learns of its relays
// from ADDRESSES and keeps a flowpath through each; the case of the
// namespace test proxy_relay_loss (docs/protocol.md §2.8, §5).
#include "paths_fixture.hpp"

namespace msocket::paths {
namespace {

using namespace testing;

const tcp::endpoint kRelayA = endpoint("10.220.0.11", 40001);
const tcp::endpoint kRelayB = endpoint("10.220.0.12", 40002);
const tcp::endpoint kRelayC = endpoint("10.220.0.13", 40003);

// A client behind NAT (192.168.2.2) whose first flowpath went through relay A.
struct RelayedClient {
  std::vector<LocalAddress> addresses{local("192.168.2.2", 2, "eth0")};
  PathManager manager{client_config(), addresses};
  RelayedClient() {
    manager.set_remote(kRelayA);
    manager.flowpath_up(through(0, kRelayA), std::nullopt, t0);
    manager.start(t0);
  }
  static FlowpathInfo through(std::uint32_t id, const tcp::endpoint& relay) {
    return FlowpathInfo{PathId{id}, endpoint("192.168.2.2", 50000 + static_cast<unsigned short>(id)), relay, t0};
  }
  Decisions relays(const std::vector<tcp::endpoint>& list, TimePoint at) {
    return manager.peer_addresses(list, true, at);
  }
};

TEST_CASE("RelayPaths: a flowpath through each relay the listener lists, the first one's included", "[paths]") {
  RelayedClient c;
  const auto d = c.relays({kRelayA, kRelayB, kRelayC}, t0 + 10ms);
  const auto opens = all_of_type<OpenFlowpath>(d);
  REQUIRE(opens.size() == 2);  // relay A carries the first flowpath already
  CHECK(opens[0].remote == kRelayB);
  CHECK(opens[1].remote == kRelayC);
  CHECK(opens[0].kind == AttemptKind::add_path);
  CHECK(opens[0].path != opens[1].path);
  CHECK(opens[0].path != PathId{0});
  CHECK_FALSE(opens[0].source);  // wherever the kernel routes
  CHECK(c.manager.peer_relays().size() == 3);
  // The same list again opens nothing more.
  CHECK(all_of_type<OpenFlowpath>(c.relays({kRelayA, kRelayB, kRelayC}, t0 + 20ms)).empty());
}

TEST_CASE("RelayPaths: a relay lost mid-way is tried again soon, with no outage and no lookup", "[paths]") {
  RelayedClient c;
  const auto open = only<OpenFlowpath>(c.relays({kRelayA, kRelayB}, t0));
  c.manager.flowpath_up(RelayedClient::through(to_int(open.path), kRelayB), open.attempt, t0 + 5ms);
  const auto d = c.manager.flowpath_down(PathId{0}, MigrationCause::path_failure, t0 + 1s);
  CHECK(d.empty());  // relay B carries on: nothing to move, nobody to ask
  CHECK(c.manager.migrations().empty());
  CHECK(c.manager.next_deadline() == t0 + 1s + 500ms);
  const auto again = only<OpenFlowpath>(c.manager.on_timer(t0 + 1500ms));
  CHECK(again.remote == kRelayA);
  // It is gone (refused): tried again later and later.
  CHECK(c.manager.attempt_failed(again.attempt, AttemptStage::connect, t0 + 1500ms).empty());
  CHECK(c.manager.next_deadline() == t0 + 2000ms);
  const auto third = only<OpenFlowpath>(c.manager.on_timer(t0 + 2000ms));
  c.manager.attempt_failed(third.attempt, AttemptStage::connect, t0 + 2000ms);
  CHECK(c.manager.next_deadline() == t0 + 3000ms);
  // The listener stops listing it: no more tries.
  CHECK(all_of_type<OpenFlowpath>(c.relays({kRelayB}, t0 + 2500ms)).empty());
  CHECK(c.manager.next_deadline() == TimePoint::max());
}

TEST_CASE("RelayPaths: a relay the listener no longer lists is left once another carries", "[paths]") {
  RelayedClient c;
  const auto open = only<OpenFlowpath>(c.relays({kRelayA, kRelayB}, t0));
  // Relay A drains before B's flowpath is up: A's is the only one, it stays.
  CHECK(all_of_type<CloseFlowpath>(c.relays({kRelayB}, t0 + 1ms)).empty());
  c.manager.flowpath_up(RelayedClient::through(to_int(open.path), kRelayB), open.attempt, t0 + 5ms);
  c.relays({kRelayA, kRelayB}, t0 + 6ms);
  const auto d = c.relays({kRelayB}, t0 + 10ms);
  const auto close = only<CloseFlowpath>(d);
  CHECK(close.path == PathId{0});
  CHECK(close.cause == MigrationCause::server_move);
  CHECK(c.manager.flowpaths().size() == 1);
  CHECK(c.manager.migrations().empty());
}

TEST_CASE("RelayPaths: after an outage the reconnector moves first, then each relay is filled in", "[paths]") {
  RelayedClient c;
  const auto open = only<OpenFlowpath>(c.relays({kRelayA, kRelayB}, t0));
  c.manager.flowpath_up(RelayedClient::through(to_int(open.path), kRelayB), open.attempt, t0 + 5ms);
  Decisions moves = c.manager.flowpath_down(PathId{0}, MigrationCause::client_move, t0 + 1s);
  for (auto d : {c.manager.flowpath_down(open.path, MigrationCause::client_move, t0 + 1s),
                 c.manager.on_timer(t0 + 1s + 25ms), c.manager.on_timer(t0 + 1s + 600ms)})
    moves.insert(moves.end(), d.begin(), d.end());
  // In the outage only the reconnector opens: a MIGRATE, to a relay.
  const auto opens = all_of_type<OpenFlowpath>(moves);
  REQUIRE_FALSE(opens.empty());
  for (const auto& o : opens) {
    CHECK(o.kind == AttemptKind::migrate);
    CHECK((o.remote == kRelayA || o.remote == kRelayB));
  }
  // Once it is up, through relay B, relay A gets its flowpath back.
  const auto filled =
      c.manager.flowpath_up(RelayedClient::through(0, kRelayB), opens.back().attempt, t0 + 1s + 700ms);
  const auto refill = only<OpenFlowpath>(filled);
  CHECK(refill.remote == kRelayA);
  CHECK(refill.kind == AttemptKind::add_path);
}

TEST_CASE("Reconnector: a flowpath through a relay lost, the relay is tried before the name is looked up",
          "[paths]") {
  RelayedClient c;
  c.manager.set_locator(true);
  CHECK(all_of_type<OpenFlowpath>(c.relays({kRelayA}, t0)).empty());  // the one relay is in use
  // The relay closed the flowpath (the listener moved and reserved again):
  // the relay is where the listener is still reached, at once.
  const auto d = c.manager.flowpath_down(PathId{0}, MigrationCause::path_failure, t0 + 1s);
  CHECK(all_of_type<LookUpPeer>(d).empty());
  const auto open = only<OpenFlowpath>(d);
  CHECK(open.remote == kRelayA);
  CHECK(open.kind == AttemptKind::migrate);
  // The relay refuses (it died): the next round asks where the listener is.
  CHECK(all_of_type<OpenFlowpath>(c.manager.attempt_failed(open.attempt, AttemptStage::connect, t0 + 1s + 1ms)).empty());
  only<LookUpPeer>(c.manager.on_timer(t0 + 2s));
  // A listener reached directly: asked first, as before.
  RelayedClient direct;
  direct.manager.set_locator(true);
  only<LookUpPeer>(direct.manager.flowpath_down(PathId{0}, MigrationCause::path_failure, t0 + 1s));
}

TEST_CASE("PathManager: a listener reached through relays offers them, on each flowpath and on change", "[paths]") {
  auto config = client_config();
  config.role = Role::server;
  PathManager server(config, {local("192.168.1.2", 2, "eth0")});
  server.flowpath_up(FlowpathInfo{PathId{0}, endpoint("192.168.1.2", 7000), endpoint("10.220.0.11", 39000), t0},
                     std::nullopt, t0);
  auto advert = only<Advertise>(server.advertise_relays({kRelayA, kRelayB}));
  CHECK(advert.relays == std::vector{kRelayA, kRelayB});
  CHECK(advert.addresses.empty());
  CHECK(server.advertise_relays({kRelayA, kRelayB}).empty());  // no news
  CHECK(only<Advertise>(server.advertise_relays({kRelayB})).relays == std::vector{kRelayB});
  // An address of its own that comes or goes changes nothing it offers.
  CHECK(all_of_type<Advertise>(server.address_event(address_event(AddressEventKind::address_added, "192.168.1.3", 2),
                                                    {local("192.168.1.2", 2, "eth0"), local("192.168.1.3", 2, "eth0")},
                                                    t0 + 1s))
            .empty());
  only<Advertise>(server.flowpath_up(
      FlowpathInfo{PathId{1}, endpoint("192.168.1.2", 7000), endpoint("10.220.0.12", 39001), t0 + 2s}, std::nullopt,
      t0 + 2s));
}

}  // namespace
}  // namespace msocket::paths
