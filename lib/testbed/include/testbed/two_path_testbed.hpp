// A client with two interfaces, each an emulated link of its own (the link
// emulator, one process per path) to a router, and a server behind the
// router on a plain veth: the network of `mbench multipath`, `handover` and
// `energy`.
//
//   client NAMES-cli                            router NAMES-rtr            server NAMES-srv
//     eth0 "wifi" 10.231.0.2 peer .1  <-- link emulator, path 0 -->  wifi0 10.231.0.1
//     eth1 "lte"  10.232.0.2 peer .1  <-- link emulator, path 1 -->  lte0  10.232.0.1
//                                                    DEVICE(r) 10.233.0.1/24 <-> DEVICE(v) 10.233.0.2/24
//
// Each path has its own one-way delay and rate in both directions, both made
// by the emulator (its rate is a serialization queue, so the rate is exact on
// the wire; the default queue holds 100 ms at the rate). Addresses and routes
// of the client: two_path_routes.hpp. No traffic but the user's own: IPv6 is
// off in every namespace (its neighbour discovery and MLD reports would wake
// a radio of `mbench energy` for nothing) and TCP metrics are not saved (a
// download would depend on the one before).
// Every namespace, device and emulator is removed by the destructor, which
// also runs on failure and, through interruption.hpp, on Ctrl-C. Needs root.
#pragma once

#include <array>
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "testbed/link_emulator_process.hpp"
#include "testbed/link_model.hpp"
#include "testbed/namespaces.hpp"
#include "testbed/net_dev.hpp"
#include "testbed/pipes.hpp"
#include "testbed/two_path_routes.hpp"

namespace msocket::testbed {

// One emulated path: the same delay and rate each way (a phone's downlink
// would be faster than its uplink; here the data flows one way only).
struct PathShape {
  std::string name;                 // "wifi", "lte": for tables and charts
  std::chrono::microseconds rtt{};  // split evenly between the directions
  BitsPerSecond rate = 0;           // each way; 0 = unlimited
};

// The WiFi and LTE paths of the MPTCP evaluations msocket's paper follows
// (§IV-B1): 40 Mbit/s at 80 ms, 20 Mbit/s at 145 ms.
std::array<PathShape, 2> default_path_shapes();

class TwoPathTestbed : public LineTestbed {
 public:
  static constexpr std::size_t kPaths = TwoPathRoutes::kPaths;

  // Builds the namespaces and starts one link emulator (`emulator_command`,
  // see link_emulator_process.hpp) per path; their logs go to
  // `log_dir`/link-NAME.log. Throws std::runtime_error when not root, ip(8)
  // is missing or a step fails (after removing what it had made).
  TwoPathTestbed(const TestbedNames& names, const std::array<PathShape, kPaths>& paths,
                 const std::vector<std::string>& emulator_command, const std::filesystem::path& log_dir);

  const PathShape& path(std::size_t i) const { return paths_.at(i); }
  // "eth0", "eth1": the client's device of path i.
  static std::string client_device(std::size_t i) { return TwoPathRoutes::client_device(i); }
  // The client's address on path i (present or not: see remove_client_address).
  static std::string client_address(std::size_t i) { return TwoPathRoutes::client_address(i); }
  static std::string server_address() { return "10.233.0.2"; }

  // See TwoPathRoutes: which path the default route prefers, and a path's
  // address taken off the client (the path is lost, as when a phone leaves
  // a WiFi network) and put back with its routes.
  void prefer_path(std::size_t i);
  void remove_client_address(std::size_t i);
  void restore_client_address(std::size_t i);
  bool has_client_address(std::size_t i) const { return routes_.attached(i); }

  // Bytes received and sent so far on each client device (IP packets, from
  // the client namespace's /proc/net/dev, read without starting a process;
  // safe from any thread). Throws std::runtime_error if a device is missing.
  std::array<InterfaceBytes, kPaths> client_device_bytes() const;

 private:
  void connect_server(const TestbedNames& names);
  void ip_batch(const std::string& ns, const std::vector<std::string>& commands);

  // Declared in the order of building: the destructor stops the emulators
  // (their TUN devices vanish with them) before LineTestbed's deletes the
  // namespaces.
  std::array<PathShape, kPaths> paths_;
  std::filesystem::path log_dir_;
  TwoPathRoutes routes_;
  std::array<std::unique_ptr<LinkEmulatorProcess>, kPaths> links_;
  FileDescriptor device_counters_;  // /proc/net/dev of the client namespace
};

}  // namespace msocket::testbed
