// Client mobility through the path manager (paths/reconnector.hpp), driven
// by hand with a fake clock: the cases the namespace tests move_transfer,
// link_flap, path_failure, names_server_move, names_both_move and
// names_connect_time cover with real processes.
#include "paths_fixture.hpp"

namespace msocket::paths {
namespace {

using namespace testing;

// A client on 10.0.1.2 (eth0) connected to 10.0.2.2:7000 with one flowpath.
struct Client {
  std::vector<LocalAddress> addresses{local("10.0.1.2", 2, "eth0"), local("127.0.0.1", 1, "lo", 8)};
  PathManager manager{client_config(), addresses};
  Client(bool by_name = false) {
    manager.set_remote(endpoint("10.0.2.2", 7000));
    manager.set_locator(by_name);
    manager.flowpath_up(flowpath(0, "10.0.1.2", "10.0.2.2"), std::nullopt, t0);
  }
  // The host's address changes: 10.0.1.2 goes at `at`.
  Decisions lose_address(TimePoint at) {
    addresses.erase(addresses.begin());
    return manager.address_event(address_event(AddressEventKind::address_removed, "10.0.1.2", 2, "eth0"),
                                 addresses, at);
  }
  Decisions gain_address(const std::string& address, TimePoint at) {
    addresses.push_back(local(address, 2, "eth0"));
    return manager.address_event(address_event(AddressEventKind::address_added, address, 2, "eth0"), addresses, at);
  }
};

TEST_CASE("PathManager: the client's address goes, the flowpath closes and a MIGRATE starts at once", "[paths]") {
  Client c;
  const auto d = c.lose_address(t0 + 1s);
  const auto close = only<CloseFlowpath>(d);
  CHECK(close.path == PathId{0});
  CHECK(close.cause == MigrationCause::client_move);
  CHECK(close.why == "local address 10.0.1.2 removed");
  const auto open = only<OpenFlowpath>(d);
  CHECK(open.kind == AttemptKind::migrate);
  CHECK(open.path == PathId{0});
  CHECK(open.remote == endpoint("10.0.2.2", 7000));
  CHECK_FALSE(open.source);
  CHECK(open.timeout == 2s);  // the retry interval, not the whole connect timeout
  // The close comes first: the session re-sends what the old path held.
  CHECK(std::holds_alternative<CloseFlowpath>(d.front()));
}

TEST_CASE("PathManager: a new address abandons the hanging attempt, recovery is timed from it", "[paths]") {
  Client c;
  const auto first = only<OpenFlowpath>(c.lose_address(t0 + 1s));
  const auto d = c.gain_address("10.0.3.2", t0 + 3s);
  CHECK(only<AbandonAttempt>(d).attempt == first.attempt);
  CHECK(all_of_type<OpenFlowpath>(d).empty());  // not before the old attempt has ended
  const auto retry = only<OpenFlowpath>(c.manager.attempt_failed(first.attempt, AttemptStage::connect, t0 + 3s));
  CHECK(retry.remote == endpoint("10.0.2.2", 7000));
  c.manager.flowpath_up(flowpath(0, "10.0.3.2", "10.0.2.2", t0 + 3100ms), retry.attempt, t0 + 3100ms);
  REQUIRE(c.manager.migrations().size() == 1);
  const auto m = c.manager.migrations().front();
  CHECK(m.cause == MigrationCause::client_move);
  CHECK(m.recovery == 100ms);  // from the new address
  CHECK(m.outage == 2100ms);   // from the loss
  CHECK(c.manager.next_deadline() == TimePoint::max());
}

TEST_CASE("PathManager: failed rounds back off from retry_min, doubling up to rho", "[paths]") {
  Client c;
  auto open = only<OpenFlowpath>(c.lose_address(t0));
  auto now = t0;
  std::vector<Duration> pauses;
  for (int round = 0; round < 9; ++round) {
    CHECK(c.manager.attempt_failed(open.attempt, AttemptStage::connect, now).empty());
    const auto wake = c.manager.next_deadline();
    pauses.push_back(wake - now);
    CHECK(c.manager.on_timer(wake - 1ms).empty());  // not yet
    now = wake;
    open = only<OpenFlowpath>(c.manager.on_timer(now));
  }
  CHECK(pauses == std::vector<Duration>{25ms, 50ms, 100ms, 200ms, 400ms, 800ms, 1600ms, 2s, 2s});
}

TEST_CASE("PathManager: a new network during the pause tries again at once, from retry_min", "[paths]") {
  Client c;
  auto open = only<OpenFlowpath>(c.lose_address(t0));
  c.manager.attempt_failed(open.attempt, AttemptStage::connect, t0 + 10ms);
  open = only<OpenFlowpath>(c.manager.on_timer(c.manager.next_deadline()));
  c.manager.attempt_failed(open.attempt, AttemptStage::connect, t0 + 35ms);
  CHECK(c.manager.next_deadline() == t0 + 75ms);  // 50 ms after the second round started
  const auto d = c.gain_address("10.0.3.2", t0 + 40ms);
  CHECK(only<OpenFlowpath>(d).remote == endpoint("10.0.2.2", 7000));
  CHECK(all_of_type<AbandonAttempt>(d).empty());
}

TEST_CASE("PathManager: a round that took longer than its pause is followed at once", "[paths]") {
  Client c;
  auto open = only<OpenFlowpath>(c.lose_address(t0));
  CHECK(c.manager.attempt_failed(open.attempt, AttemptStage::connect, t0 + 1s).empty());
  CHECK(c.manager.next_deadline() == t0 + 1s);
  CHECK(only<OpenFlowpath>(c.manager.on_timer(t0 + 1s)).remote == endpoint("10.0.2.2", 7000));
}

// Both ends moved (the paper's Fig. 9 without the watch): the client is on
// a new network, the server's old address answers nothing, and its new one
// reaches the name service only some rounds later. Each round looks up
// again at most rho after the last one started, whatever the attempt to
// the old address is doing: the recovery stays within rho + q + w + 2 RTT.
TEST_CASE("PathManager: both ends moved: a lookup at least every rho, while an attempt to the old address hangs",
          "[paths]") {
  Client c(true);
  const auto old_address = endpoint("10.0.2.2", 7000), new_address = endpoint("10.0.6.2", 7000);
  const auto gone = only<OpenFlowpath>(c.lose_address(t0));
  c.manager.attempt_failed(gone.attempt, AttemptStage::connect, t0 + 1ms);  // no address to leave from
  const auto first = only<OpenFlowpath>(c.gain_address("10.0.3.2", t0 + 1s));
  CHECK(first.remote == old_address);
  CHECK(first.timeout == 2s);
  // While it hangs, the rounds that come due have nothing new to try: it
  // goes on (no lookup yet: after our own move the old address is the best guess).
  while (c.manager.next_deadline() < t0 + 3s) CHECK(c.manager.on_timer(c.manager.next_deadline()).empty());
  // It times out: that round failed, the next ones ask where the peer is.
  c.manager.attempt_failed(first.attempt, AttemptStage::connect, t0 + 3s);
  auto due = c.manager.next_deadline();
  CHECK(due <= t0 + 3s + 2s);

  // The name service still has the old address: the round tries it.
  only<LookUpPeer>(c.manager.on_timer(due));
  const auto again = only<OpenFlowpath>(c.manager.lookup_done(PathManager::Endpoints{old_address}, due + 200ms));
  CHECK(again.remote == old_address);
  CHECK(c.manager.next_deadline() == due + 2s);  // not after that attempt's timeout
  // The next round asks again while that attempt hangs, and leaves it be.
  due += 2s;
  only<LookUpPeer>(c.manager.on_timer(due));
  CHECK(c.manager.lookup_done(PathManager::Endpoints{old_address}, due + 200ms).empty());
  CHECK(c.manager.next_deadline() == due + 2s);
  // Its timeout changes nothing of when the next round starts.
  CHECK(c.manager.attempt_failed(again.attempt, AttemptStage::connect, due + 500ms).empty());
  CHECK(c.manager.next_deadline() == due + 2s);
  due += 2s;
  only<LookUpPeer>(c.manager.on_timer(due));
  const auto third = only<OpenFlowpath>(c.manager.lookup_done(PathManager::Endpoints{old_address}, due + 200ms));

  // The server is back and registered: the next lookup has its new address,
  // and the attempt to the old one makes way at once.
  due += 2s;
  CHECK(c.manager.next_deadline() == due);
  only<LookUpPeer>(c.manager.on_timer(due));
  const auto d = c.manager.lookup_done(PathManager::Endpoints{new_address}, due + 200ms);
  CHECK(only<AbandonAttempt>(d).attempt == third.attempt);
  CHECK(all_of_type<OpenFlowpath>(d).empty());  // not before the old attempt has ended
  const auto found = only<OpenFlowpath>(c.manager.attempt_failed(third.attempt, AttemptStage::connect, due + 200ms));
  CHECK(found.remote == new_address);
  c.manager.flowpath_up(flowpath(0, "10.0.3.2", "10.0.6.2", due + 400ms), found.attempt, due + 400ms);
  REQUIRE(c.manager.migrations().size() == 1);
  CHECK(c.manager.migrations().front().cause == MigrationCause::simultaneous);
  CHECK(c.manager.remote() == new_address);
}

TEST_CASE("PathManager: a round with the same targets lets the attempt on its way to the second go on", "[paths]") {
  Client c;
  c.manager.peer_addresses({endpoint("10.0.2.2", 7000), endpoint("10.0.2.3", 7000)}, false, t0);
  const auto first = only<OpenFlowpath>(c.lose_address(t0));
  const auto second = only<OpenFlowpath>(c.manager.attempt_failed(first.attempt, AttemptStage::connect, t0 + 10ms));
  CHECK(second.remote == endpoint("10.0.2.3", 7000));
  CHECK(c.manager.next_deadline() == t0 + 25ms);
  CHECK(c.manager.on_timer(t0 + 25ms).empty());  // no AbandonAttempt, no new attempt to the first
  // When it fails the round has failed; the next is due 50 ms after this one started.
  CHECK(c.manager.attempt_failed(second.attempt, AttemptStage::connect, t0 + 30ms).empty());
  CHECK(c.manager.next_deadline() == t0 + 75ms);
}

TEST_CASE("PathManager: news of the peer during a lookup is tried at once, the lookup's answer ignored", "[paths]") {
  // The watch tells of the new address while a lookup asked just before
  // the update is on its way: its answer may be the old record.
  Client c(true);
  const auto gone = only<OpenFlowpath>(c.lose_address(t0));
  c.manager.attempt_failed(gone.attempt, AttemptStage::connect, t0 + 1ms);
  only<LookUpPeer>(c.manager.on_timer(t0 + 25ms));
  const auto open =
      only<OpenFlowpath>(c.manager.peer_moved({endpoint("10.0.6.2", 7000)}, "name changed", false, t0 + 50ms));
  CHECK(open.remote == endpoint("10.0.6.2", 7000));
  CHECK(c.manager.lookup_done(PathManager::Endpoints{endpoint("10.0.2.2", 7000)}, t0 + 200ms).empty());
}

// The server moved from 10.0.2.2 to 10.0.6.2 and the client followed;
// then the client moves: only where the server is now is tried, not every
// address it ever had (each would cost a connect timeout per round).
TEST_CASE("PathManager: after a migration the addresses the peer left are not tried again", "[paths]") {
  const auto old_address = endpoint("10.0.2.2", 7000), new_address = endpoint("10.0.6.2", 7000);
  auto follow = [&](Client& c, TimePoint at) {
    const auto open = only<OpenFlowpath>(c.manager.peer_moved({new_address}, "name changed", false, at));
    CHECK(open.remote == new_address);
    c.manager.flowpath_up(flowpath(0, "10.0.1.2", "10.0.6.2", at + 100ms), open.attempt, at + 100ms);
  };
  auto next_move_tries_only_the_new_address = [&](Client& c, TimePoint at) {
    const auto open = only<OpenFlowpath>(c.lose_address(at));
    CHECK(open.remote == new_address);
    CHECK(all_of_type<OpenFlowpath>(c.manager.attempt_failed(open.attempt, AttemptStage::connect, at + 1s)).empty());
  };
  SECTION("learnt from the name") {
    Client c(true);
    follow(c, t0 + 1s);
    next_move_tries_only_the_new_address(c, t0 + 2s);
  }
  SECTION("offered (ADDRESSES), the new offer after the migration") {
    Client c(true);
    c.manager.peer_addresses({old_address}, false, t0);
    follow(c, t0 + 1s);
    c.manager.peer_addresses({new_address}, false, t0 + 1200ms);
    next_move_tries_only_the_new_address(c, t0 + 2s);
  }
}

TEST_CASE("PathManager: a link going down takes the flowpaths on it", "[paths]") {
  Client c;
  const auto d = c.manager.address_event(address_event(AddressEventKind::link_down, "", 2, "eth0"), c.addresses,
                                         t0 + 1s);
  CHECK(only<CloseFlowpath>(d).why == "link eth0 down");
  CHECK(only<OpenFlowpath>(d).kind == AttemptKind::migrate);
  // Another interface going down touches nothing.
  Client other;
  CHECK(other.manager.address_event(address_event(AddressEventKind::link_down, "", 3, "eth1"), other.addresses, t0)
            .empty());
}

TEST_CASE("PathManager: after a keepalive timeout a client connected by name asks where the peer is first",
          "[paths]") {
  Client c(true);
  const auto d = c.manager.flowpath_down(PathId{0}, MigrationCause::path_failure, t0 + 8s);
  CHECK(all_of_type<OpenFlowpath>(d).empty());
  only<LookUpPeer>(d);
  const auto open = only<OpenFlowpath>(
      c.manager.lookup_done(PathManager::Endpoints{endpoint("10.0.6.2", 7000)}, t0 + 8s + 20ms));
  CHECK(open.remote == endpoint("10.0.6.2", 7000));  // the looked-up address before the old one
  // The old address stays a candidate.
  const auto next = only<OpenFlowpath>(c.manager.attempt_failed(open.attempt, AttemptStage::connect, t0 + 9s));
  CHECK(next.remote == endpoint("10.0.2.2", 7000));
  c.manager.flowpath_up(flowpath(0, "10.0.1.2", "10.0.2.2"), next.attempt, t0 + 9500ms);
  // The peer was found elsewhere: the server moved.
  CHECK(c.manager.migrations().front().cause == MigrationCause::server_move);
}

TEST_CASE("PathManager: without a locator the old address is tried, a failed lookup still tries", "[paths]") {
  Client c;
  const auto d = c.manager.flowpath_down(PathId{0}, MigrationCause::path_failure, t0);
  CHECK(all_of_type<LookUpPeer>(d).empty());
  CHECK(only<OpenFlowpath>(d).remote == endpoint("10.0.2.2", 7000));
  Client named(true);
  only<LookUpPeer>(named.manager.flowpath_down(PathId{0}, MigrationCause::path_failure, t0));
  CHECK(only<OpenFlowpath>(named.manager.lookup_done(std::nullopt, t0 + 1s)).remote == endpoint("10.0.2.2", 7000));
}

TEST_CASE("PathManager: after its own move a named client asks only once a round has failed", "[paths]") {
  Client c(true);
  const auto open = only<OpenFlowpath>(c.lose_address(t0));
  c.manager.attempt_failed(open.attempt, AttemptStage::connect, t0 + 2s);
  only<LookUpPeer>(c.manager.on_timer(c.manager.next_deadline()));
}

TEST_CASE("PathManager: a named client's round without an address does not make the new network ask first",
          "[paths]") {
  // A move deletes the address, then adds the new one: the round between
  // has nothing to leave from and fails; the new address's round goes
  // straight to the peer's known address, without a lookup first.
  Client c(true);
  const auto open = only<OpenFlowpath>(c.lose_address(t0));
  c.manager.attempt_failed(open.attempt, AttemptStage::connect, t0 + 1ms);
  const auto d = c.gain_address("10.0.3.2", t0 + 2ms);
  CHECK(all_of_type<LookUpPeer>(d).empty());
  CHECK(only<OpenFlowpath>(d).remote == endpoint("10.0.2.2", 7000));
}

TEST_CASE("PathManager: RECONNECT moves a flowpath the peer dropped, to the new address first", "[paths]") {
  Client c;
  const auto d = c.manager.peer_moved({endpoint("10.0.6.2", 7000)}, "RECONNECT", true, t0 + 5s);
  const auto close = only<CloseFlowpath>(d);
  CHECK(close.cause == MigrationCause::server_move);
  CHECK(close.why == "peer moved (RECONNECT)");
  const auto open = only<OpenFlowpath>(d);
  CHECK(open.remote == endpoint("10.0.6.2", 7000));
  c.manager.flowpath_up(flowpath(0, "10.0.1.2", "10.0.6.2", t0 + 5s), open.attempt, t0 + 5s + 20ms);
  CHECK(c.manager.migrations().front().cause == MigrationCause::server_move);
  CHECK(c.manager.remote() == endpoint("10.0.6.2", 7000));
  // A retry of the same RECONNECT crossing our fresh MIGRATE leaves it alone.
  CHECK(c.manager.peer_moved({endpoint("10.0.6.2", 7000)}, "RECONNECT", true, t0 + 5500ms).empty());
}

TEST_CASE("PathManager: a name change cuts short an attempt to the old address, not one to the new", "[paths]") {
  Client c(true);
  const auto old = only<OpenFlowpath>(c.lose_address(t0));
  CHECK(old.remote == endpoint("10.0.2.2", 7000));
  auto d = c.manager.peer_moved({endpoint("10.0.6.2", 7000)}, "name changed", false, t0 + 100ms);
  CHECK(only<AbandonAttempt>(d).attempt == old.attempt);
  const auto fresh = only<OpenFlowpath>(c.manager.attempt_failed(old.attempt, AttemptStage::connect, t0 + 100ms));
  CHECK(fresh.remote == endpoint("10.0.6.2", 7000));
  // The same news again (the RECONNECT after the name): the attempt goes on.
  d = c.manager.peer_moved({endpoint("10.0.6.2", 7000)}, "RECONNECT", true, t0 + 120ms);
  CHECK(all_of_type<AbandonAttempt>(d).empty());
  CHECK(all_of_type<OpenFlowpath>(d).empty());
  c.manager.flowpath_up(flowpath(0, "10.0.3.2", "10.0.6.2", t0 + 200ms), fresh.attempt, t0 + 200ms);
  // Both ends moved in one outage.
  CHECK(c.manager.migrations().front().cause == MigrationCause::simultaneous);
}

TEST_CASE("PathManager: a name change to where the flowpaths already go changes nothing", "[paths]") {
  Client c(true);
  CHECK(c.manager.peer_moved({endpoint("10.0.2.2", 7000)}, "name changed", false, t0).empty());
  CHECK(c.manager.migrations().empty());
}

TEST_CASE("PathManager: the application's migration closes every flowpath and reconnects", "[paths]") {
  Client c;
  const auto d = c.manager.migrate_all(t0);
  CHECK(only<CloseFlowpath>(d).cause == MigrationCause::application);
  const auto open = only<OpenFlowpath>(d);
  c.manager.flowpath_up(flowpath(0, "10.0.1.2", "10.0.2.2", t0), open.attempt, t0 + 1ms);
  CHECK(c.manager.migrations().front().cause == MigrationCause::application);
}

TEST_CASE("PathManager: migrations leave from -s while that address exists", "[paths]") {
  auto config = client_config();
  config.source = make_address("10.0.1.2");
  std::vector<LocalAddress> addresses{local("10.0.1.2", 2, "eth0")};
  PathManager manager(config, addresses);
  manager.set_remote(endpoint("10.0.2.2", 7000));
  manager.flowpath_up(flowpath(0, "10.0.1.2", "10.0.2.2"), std::nullopt, t0);
  const auto open = only<OpenFlowpath>(manager.migrate_all(t0));
  REQUIRE(open.source);
  CHECK(open.source->ifname == "eth0");
}

TEST_CASE("PathManager: from IPv4 to an IPv6-only network, the server's offered IPv6 address first", "[paths]") {
  Client c;
  // The server offers both families (ADDRESSES, §2.8).
  c.manager.peer_addresses({endpoint("10.0.2.2", 7000), endpoint("2001:db8:2::2", 7000)}, false, t0);
  const auto first = only<OpenFlowpath>(c.lose_address(t0 + 1s));
  CHECK(first.remote == endpoint("10.0.2.2", 7000));  // nothing reaches either: the old address first
  c.addresses.push_back(local("2001:db8:3::2", 2, "eth0", 64));
  const auto d = c.manager.address_event(address_event(AddressEventKind::address_added, "2001:db8:3::2", 2, "eth0"),
                                         c.addresses, t0 + 2s);
  CHECK(only<AbandonAttempt>(d).attempt == first.attempt);
  const auto v6 = only<OpenFlowpath>(c.manager.attempt_failed(first.attempt, AttemptStage::connect, t0 + 2s));
  CHECK(v6.remote == endpoint("2001:db8:2::2", 7000));
  c.manager.flowpath_up(FlowpathInfo{PathId{0}, endpoint("2001:db8:3::2", 40000), v6.remote, t0 + 2s}, v6.attempt,
                        t0 + 2050ms);
  CHECK(c.manager.migrations().front().cause == MigrationCause::client_move);
  CHECK(c.manager.remote() == endpoint("2001:db8:2::2", 7000));
  // And back: with IPv4 again and IPv6 gone, the IPv4 address comes first.
  c.addresses = {local("10.0.5.2", 2, "eth0")};
  const auto back = c.manager.address_event(
      address_event(AddressEventKind::address_removed, "2001:db8:3::2", 2, "eth0"), c.addresses, t0 + 5s);
  CHECK(only<OpenFlowpath>(back).remote == endpoint("10.0.2.2", 7000));
}

TEST_CASE("PathManager: a clean end of a flowpath is no outage", "[paths]") {
  Client c;
  c.manager.flowpath_closed(PathId{0});
  CHECK(c.manager.next_deadline() == TimePoint::max());
  CHECK(c.gain_address("10.0.3.2", t0).empty());
}

}  // namespace
}  // namespace msocket::paths
