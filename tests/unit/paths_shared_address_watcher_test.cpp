// SharedAddressWatcher: one rtnetlink socket per io_context, every
// subscriber told of every event, in order, with one listing of the
// addresses; closed with the last subscriber. The part that changes
// addresses runs in a forked child in a private network namespace, as in
// paths_address_watcher_test.cpp.
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>

#include "paths/shared_address_watcher.hpp"

namespace shared_watcher_test {

using msocket::paths::AddressEvent;
using msocket::paths::AddressEventKind;
using msocket::paths::LocalAddress;
using msocket::paths::SharedAddressWatcher;
namespace ip = boost::asio::ip;

constexpr int kSkipped = 77;

bool shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool lists(const std::vector<LocalAddress>& now, const ip::address& a) {
  return std::any_of(now.begin(), now.end(), [&](const LocalAddress& l) { return l.address == a; });
}

// In the child's own namespace: three subscribers, the second leaving from
// inside its first event. Returns the exit status (0: as expected).
int fan_out_in_namespace() {
  if (unshare(CLONE_NEWNET) != 0 || !shell("ip link set lo up") ||
      !(shell("ip link add d0 type dummy 2>/dev/null") || shell("ip link add d0 type veth peer name d0peer")) ||
      !shell("ip link set d0 up"))
    return kSkipped;
  boost::asio::io_context io;
  const boost::asio::any_io_executor ex = io.get_executor();
  auto& shared = SharedAddressWatcher::of(ex);
  const auto added = ip::make_address("10.98.0.1");
  std::string order;
  bool listed = true;
  std::unique_ptr<SharedAddressWatcher::Subscription> second;
  auto first = shared.subscribe(ex, [&](const AddressEvent& e, const std::vector<LocalAddress>& now) {
    if (e.kind != AddressEventKind::address_added) return;
    order += "1";
    listed = listed && lists(now, added);
  });
  second = shared.subscribe(ex, [&](const AddressEvent& e, const std::vector<LocalAddress>&) {
    if (e.kind != AddressEventKind::address_added) return;
    order += "2";
    second.reset();  // leaves from inside its handler
  });
  auto third = shared.subscribe(ex, [&](const AddressEvent& e, const std::vector<LocalAddress>& now) {
    if (e.kind != AddressEventKind::address_added) return;
    order += "3";
    listed = listed && lists(now, added);
  });
  if (!first || !second || !third) return 10;
  if (shared.subscribers() != 3) return 11;
  if (!shell("ip addr add 10.98.0.1/24 dev d0") || !shell("ip addr add 10.98.0.2/24 dev d0")) return 12;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (order.size() < 5 && io.run_one_until(deadline) > 0) {
  }
  if (order != "12313") {
    std::fprintf(stderr, "told in the order '%s', not '12313'\n", order.c_str());
    return 13;
  }
  if (!listed) return 14;
  if (shared.subscribers() != 2) return 15;
  first.reset();
  third.reset();
  // Closed with the last subscriber: nothing is left to keep run() going.
  const auto start = std::chrono::steady_clock::now();
  io.restart();
  io.run_for(std::chrono::seconds(5));
  if (std::chrono::steady_clock::now() - start > std::chrono::seconds(2)) return 16;
  return 0;
}

}  // namespace shared_watcher_test

using msocket::paths::AddressEvent;
using msocket::paths::LocalAddress;
using msocket::paths::SharedAddressWatcher;

TEST_CASE("SharedAddressWatcher tells every subscriber in order, with one listing", "[paths][netns]") {
  if (geteuid() != 0) {
    WARN("skipped: needs root to create a network namespace");
    return;
  }
  std::fflush(nullptr);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) std::_Exit(shared_watcher_test::fan_out_in_namespace());
  int wait_status = 0;
  REQUIRE(waitpid(child, &wait_status, 0) == child);
  REQUIRE(WIFEXITED(wait_status));
  const int status = WEXITSTATUS(wait_status);
  if (status == shared_watcher_test::kSkipped) {
    WARN("skipped: cannot create a network namespace with a test interface here");
    return;
  }
  INFO("child exit status " << status);
  REQUIRE(status == 0);
}

TEST_CASE("SharedAddressWatcher: one per io_context, closed with the last subscriber", "[paths]") {
  boost::asio::io_context io;
  const boost::asio::any_io_executor ex = io.get_executor();
  auto& shared = SharedAddressWatcher::of(ex);
  CHECK(&shared == &SharedAddressWatcher::of(ex));
  auto a = shared.subscribe(ex, [](const AddressEvent&, const std::vector<LocalAddress>&) {});
  if (!a) {
    WARN("skipped: no rtnetlink socket here");
    return;
  }
  auto b = shared.subscribe(ex, [](const AddressEvent&, const std::vector<LocalAddress>&) {});
  CHECK(shared.subscribers() == 2);
  a.reset();
  CHECK(shared.subscribers() == 1);
  b.reset();
  CHECK(shared.subscribers() == 0);
  const auto start = std::chrono::steady_clock::now();
  io.run_for(std::chrono::seconds(5));  // returns at once: no receive is pending
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  auto again = shared.subscribe(ex, [](const AddressEvent&, const std::vector<LocalAddress>&) {});
  CHECK(again != nullptr);  // opened anew
}
