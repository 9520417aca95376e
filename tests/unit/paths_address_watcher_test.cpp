// AddressWatcher and list_local_addresses against the real kernel. The part
// that changes addresses runs in a forked child inside a private network
// namespace (unshare(CLONE_NEWNET)), so the host network is never touched;
// the namespace and its interface vanish when the child exits.
#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include <boost/asio/error.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "paths/address_watcher.hpp"
#include "paths/local_addresses.hpp"

namespace {

using msocket::paths::AddressEvent;
using msocket::paths::AddressEventKind;
using msocket::paths::AddressWatcher;
namespace ip = boost::asio::ip;

// Exit status of the child when the machine cannot run the test (Automake's
// "skipped"); any other non-zero status is a failure.
constexpr int kSkipped = 77;

// Runs `io` until `done()` holds; false after 5 s without it.
bool run_until(boost::asio::io_context& io, const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done()) {
    if (io.run_one_until(deadline) == 0) return false;
  }
  return true;
}

bool shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

struct Failure {
  int status;
  const char* what;
};

void expect(bool condition, int status, const char* what) {
  if (!condition) throw Failure{status, what};
}

// Sets up lo and the test interface d0 in the (new) namespace; false if this
// machine cannot. Prefers a dummy link; a veth pair where the dummy driver is
// missing (some container kernels).
bool make_interfaces() {
  if (!shell("ip link set lo up")) return false;
  if (!shell("ip link add d0 type dummy 2>/dev/null") &&
      !(shell("ip link add d0 type veth peer name d0peer") && shell("ip link set d0peer up"))) {
    return false;
  }
  return shell("ip link set d0 up");
}

bool has(const std::vector<AddressEvent>& events, AddressEventKind kind, const ip::address& a,
         unsigned ifindex) {
  return std::any_of(events.begin(), events.end(), [&](const AddressEvent& e) {
    return e.kind == kind && e.ifindex == ifindex &&
           (kind == AddressEventKind::link_up || kind == AddressEventKind::link_down || e.address == a);
  });
}

void check_listing(unsigned d0) {
  const auto local = msocket::paths::list_local_addresses();
  expect(std::any_of(local.begin(), local.end(), [&](const msocket::paths::LocalAddress& l) {
           return l.address == ip::make_address("10.99.0.1") && l.ifindex == d0 && l.ifname == "d0" &&
                  l.prefix_len == 24;
         }), 20, "list_local_addresses lacks 10.99.0.1/24 on d0");
  expect(msocket::paths::is_local_address(ip::make_address("10.99.0.1")), 21, "10.99.0.1 not local");
  expect(msocket::paths::is_local_address(ip::make_address("::ffff:10.99.0.1")), 22, "v4-mapped not local");
  expect(msocket::paths::is_local_address(ip::make_address("127.0.0.1")), 23, "loopback not local");
  expect(!msocket::paths::is_local_address(ip::make_address("10.99.0.2")), 24, "10.99.0.2 reported local");
}

void check_address_events(boost::asio::io_context& io, const std::vector<AddressEvent>& events, unsigned d0) {
  const auto added = ip::make_address("10.99.0.1");
  expect(shell("ip addr add 10.99.0.1/24 dev d0"), 12, "ip addr add");
  expect(run_until(io, [&] { return has(events, AddressEventKind::address_added, added, d0); }), 13,
         "no address_added for 10.99.0.1 on d0");
  expect(std::any_of(events.begin(), events.end(), [](const AddressEvent& e) { return e.ifname == "d0"; }),
         14, "event without ifname d0");
  check_listing(d0);

  expect(shell("ip addr del 10.99.0.1/24 dev d0"), 15, "ip addr del");
  expect(run_until(io, [&] { return has(events, AddressEventKind::address_removed, added, d0); }), 16,
         "no address_removed for 10.99.0.1 on d0");
  expect(!msocket::paths::is_local_address(added), 17, "10.99.0.1 still local after del");
}

void check_link_events(boost::asio::io_context& io, std::vector<AddressEvent>& events, unsigned d0) {
  events.clear();
  expect(shell("ip link set d0 down"), 30, "ip link set down");
  expect(run_until(io, [&] { return has(events, AddressEventKind::link_down, {}, d0); }), 31, "no link_down");
  // Not "no link_up yet": IFF_RUNNING may lag IFF_UP, giving a link_down first.
  events.clear();
  expect(shell("ip link set d0 up"), 32, "ip link set up");
  expect(run_until(io, [&] { return has(events, AddressEventKind::link_up, {}, d0); }), 33, "no link_up");
}

// The body of the child, in its own namespace. Returns its exit status.
int watch_in_namespace() {
  if (unshare(CLONE_NEWNET) != 0) {
    std::perror("unshare(CLONE_NEWNET)");
    return kSkipped;
  }
  if (!make_interfaces()) {
    std::fprintf(stderr, "cannot create the test interfaces\n");
    return kSkipped;
  }
  const unsigned d0 = if_nametoindex("d0");
  boost::asio::io_context io;
  std::vector<AddressEvent> events, stopping_events;
  AddressWatcher watcher(io.get_executor());
  expect(!watcher.start([&](const AddressEvent& e) { events.push_back(e); }), 10, "start failed");
  // A second watcher that stops itself from inside its first event.
  AddressWatcher stopping(io.get_executor());
  expect(!stopping.start([&](const AddressEvent& e) { stopping_events.push_back(e); stopping.stop(); }),
         11, "second start failed");

  check_address_events(io, events, d0);
  check_link_events(io, events, d0);

  io.poll();  // anything still queued for the stopped watcher must not reach it
  expect(stopping_events.size() == 1, 40, "handler called after stop()");
  watcher.stop();
  watcher.stop();
  return 0;
}

bool netns_required() {
  const char* value = std::getenv("MSOCKET_REQUIRE_NETNS");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace

TEST_CASE("AddressWatcher reports address and link changes in a private namespace", "[paths][netns]") {
  if (geteuid() != 0) {
    if (netns_required()) FAIL("MSOCKET_REQUIRE_NETNS=1 but not running as root");
    WARN("skipped: needs root to create a network namespace");
    return;
  }
  std::fflush(nullptr);  // the child must not write our buffered output twice
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    int status = 99;
    try {
      status = watch_in_namespace();
    } catch (const Failure& failure) {
      std::fprintf(stderr, "paths_address_watcher_test child: %s\n", failure.what);
      status = failure.status;
    } catch (...) {
      std::fprintf(stderr, "paths_address_watcher_test child: unexpected exception\n");
    }
    std::_Exit(status);  // no Catch teardown in the child
  }
  int wait_status = 0;
  REQUIRE(waitpid(child, &wait_status, 0) == child);
  REQUIRE(WIFEXITED(wait_status));
  const int status = WEXITSTATUS(wait_status);
  if (status == kSkipped && !netns_required()) {
    WARN("skipped: cannot create a network namespace with a test interface here");
    return;
  }
  INFO("child exit status " << status << " (see its message on stderr)");
  REQUIRE(status == 0);
}

TEST_CASE("AddressWatcher start, stop and destruction are safe with a receive pending", "[paths]") {
  boost::asio::io_context io;
  int calls = 0;
  {
    AddressWatcher watcher(io.get_executor());
    const auto ec = watcher.start([&](const AddressEvent&) { ++calls; });
    if (ec) {
      WARN("skipped: no rtnetlink socket here: " << ec.message());
      return;
    }
    CHECK(watcher.start([&](const AddressEvent&) { ++calls; }) == boost::asio::error::already_started);
    watcher.stop();
    watcher.stop();
    CHECK(!watcher.start([&](const AddressEvent&) { ++calls; }));  // restart after stop
  }  // destroyed with a receive pending
  io.poll();  // runs the aborted completions: they must touch nothing freed
  CHECK(calls == 0);
}
