// For the unit tests of lib/testbed that build network namespaces: they
// need root and ip(8). Without them a test is skipped (a warning), unless
// MSOCKET_REQUIRE_NETNS=1 asks for namespace tests, which then fail: the
// convention of tests/netns/lib.sh (tb_skip_or_fail) and of
// paths_address_watcher_test.cpp.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "testbed/child_process.hpp"
#include "testbed/namespaces.hpp"

namespace msocket::testbed::test {

inline bool namespaces_required() {
  const char* value = std::getenv("MSOCKET_REQUIRE_NETNS");
  return value != nullptr && std::string(value) == "1";
}

// Why this machine cannot build namespaces for a test ("" if it can).
inline std::string why_no_namespaces() {
  if (::geteuid() != 0) return "needs root to create network namespaces";
  if (!find_in_path("ip")) return "needs ip(8) from iproute2";
  try {
    OwnedNamespaces probe;
    probe.add("tbprobe-" + std::to_string(::getpid()));
  } catch (const std::exception& e) {
    return std::string("cannot create network namespaces here: ") + e.what();
  }
  return "";
}

// True when the test may go on; otherwise it is skipped (false) or, under
// MSOCKET_REQUIRE_NETNS=1, fails.
inline bool namespaces_available() {
  const auto why = why_no_namespaces();
  if (why.empty()) return true;
  if (namespaces_required()) FAIL("MSOCKET_REQUIRE_NETNS=1 but " << why);
  WARN("skipped: " << why);
  return false;
}

// Names for what a test builds: tbtest-PID-ROLE, devices tbPIDX, so that
// nothing collides with mbench (mbench-PID-...) or another test run.
inline TestbedNames test_names() { return TestbedNames::for_this_process("tbtest", "tb"); }

// A stand-in for the link emulator (link_emulator_process.hpp) for tests
// that cannot run mbench: it takes the emulator's options, joins the two
// namespaces with a veth pair instead of two TUN devices (no delay, no rate),
// answers ARP for what lies behind B (proxy ARP: a TUN link needs no ARP,
// a veth does), says "link up: " and waits for SIGTERM, on which it exits 0.
inline std::vector<std::string> fake_link_emulator() {
  return {"sh", "-c",
          "set -e\n"
          "while [ $# -gt 0 ]; do\n"
          "  case $1 in --ns-a) na=$2; shift ;; --addr-a) aa=$2; shift ;; --dev-a) da=$2; shift ;;\n"
          "    --ns-b) nb=$2; shift ;; --addr-b) ab=$2; shift ;; --dev-b) db=$2; shift ;; esac\n"
          "  shift\n"
          "done\n"
          "ip link add \"$da\" netns \"$na\" type veth peer name \"$db\" netns \"$nb\"\n"
          "ip -n \"$na\" addr add \"$aa\" peer \"$ab\" dev \"$da\"\n"
          "ip -n \"$nb\" addr add \"$ab\" peer \"$aa\" dev \"$db\"\n"
          "ip netns exec \"$nb\" sysctl -qw \"net.ipv4.conf.$db.proxy_arp=1\"\n"
          "ip -n \"$na\" link set \"$da\" up\n"
          "ip -n \"$nb\" link set \"$db\" up\n"
          "trap 'kill $! 2>/dev/null; exit 0' TERM\n"
          "echo \"link up: $na $aa <-> $nb $ab\" >&2\n"
          "sleep 600 &\n"
          "wait\n",
          "fake-link-emulator"};
}

// Throws unless one ping from namespace `ns` (from `source` when given)
// reaches `address`.
inline void ping(const std::string& ns, const std::string& address, const std::string& source = "") {
  std::vector<std::string> argv{"ping", "-n", "-q", "-c", "1", "-W", "2"};
  if (!source.empty()) argv.insert(argv.end(), {"-I", source});
  argv.push_back(address);
  run_command(in_namespace(ns, argv));
}

// True if the named namespace exists.
inline bool namespace_exists(const std::string& name) { return ::access(("/run/netns/" + name).c_str(), F_OK) == 0; }

}  // namespace msocket::testbed::test
