// The network of `mbench multipath` and `mbench handover`: a client with two
// interfaces, each an emulated link of its own (`mbench link`, one process
// per path) to a router, and a server behind the router on a plain veth:
//
//   client mbench-PID-cli                       router mbench-PID-rtr       server mbench-PID-srv
//     eth0 "wifi" 10.231.0.2 peer .1  <-- mbench link, path 0 -->  wifi0 10.231.0.1
//     eth1 "lte"  10.232.0.2 peer .1  <-- mbench link, path 1 -->  lte0  10.232.0.1
//                                                                  mbPIDr 10.233.0.1/24 <-> mbPIDv 10.233.0.2/24
//
// Each path has its own one-way delay and rate in both directions, both made
// by the emulator (its rate is a serialization queue, so the rate is exact on
// the wire; the default queue holds 100 ms at the rate). The client has a
// default route per interface (metrics 100 and 200; the preferred path gets
// 100) and a source rule per address (`ip rule from ADDR table 100+i`), so a
// socket bound to eth1's address, e.g. a kernel MPTCP subflow, leaves by eth1.
// No traffic but the benchmark's own: IPv6 is off in every namespace (its
// neighbour discovery and MLD reports would wake a radio of `mbench energy`
// for nothing) and TCP metrics are not saved (a download would depend on
// the one before).
// Every namespace, device and emulator is removed by the destructor, which
// also runs on failure and, through interruption.hpp, on Ctrl-C. Needs root.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "energy_interface_counters.hpp"
#include "namespaces.hpp"
#include "testbed/link_model.hpp"

namespace msocket::mbench {

// One emulated path: the same delay and rate each way (a phone's downlink
// would be faster than its uplink; here the data flows one way only).
struct PathShape {
  std::string name;                 // "wifi", "lte": for tables and charts
  std::chrono::microseconds rtt{};  // split evenly between the directions
  testbed::BitsPerSecond rate = 0;  // each way; 0 = unlimited
};

// The paper's WiFi and LTE paths (§IV-B1): 40 Mbit/s at 80 ms, 20 Mbit/s at 145 ms.
std::array<PathShape, 2> default_path_shapes();

class TwoPathTestbed {
 public:
  static constexpr std::size_t kPaths = 2;

  // Builds the namespaces and starts one `mbench link` (this program, at
  // `self`) per path; their logs go to `log_dir`/link-NAME.log. Throws
  // std::runtime_error when not root, ip(8) is missing or a step fails
  // (after removing what it had made).
  TwoPathTestbed(const std::array<PathShape, kPaths>& paths, const std::filesystem::path& self,
                 const std::filesystem::path& log_dir);
  ~TwoPathTestbed();
  TwoPathTestbed(const TwoPathTestbed&) = delete;
  TwoPathTestbed& operator=(const TwoPathTestbed&) = delete;

  const std::string& client_namespace() const { return client_namespace_; }
  const std::string& router_namespace() const { return router_namespace_; }
  const std::string& server_namespace() const { return server_namespace_; }
  const PathShape& path(std::size_t i) const { return paths_.at(i); }
  // "eth0", "eth1": the client's device of path i.
  static std::string client_device(std::size_t i);
  // The client's address on path i (present or not: see remove_client_address).
  static std::string client_address(std::size_t i);
  static std::string server_address() { return "10.233.0.2"; }

  // The default route without a source goes by path i (metric 100; the
  // other path's route gets 200).
  void prefer_path(std::size_t i);
  // Takes path i's address off the client (the path is lost, as when a
  // phone leaves a WiFi network) and puts it back with its routes.
  void remove_client_address(std::size_t i);
  void restore_client_address(std::size_t i);
  bool has_client_address(std::size_t i) const { return attached_.at(i); }

  // Bytes received and sent so far on each client device (IP packets, from
  // the client namespace's /proc/net/dev, read without starting a process;
  // safe from any thread). Throws std::runtime_error if a device is missing.
  std::array<InterfaceBytes, kPaths> client_device_bytes() const;

 private:
  void start_link(std::size_t i, const std::filesystem::path& self);
  std::vector<std::string> default_route_commands(std::size_t i) const;
  void ip_batch(const std::string& ns, const std::vector<std::string>& commands);
  void remove();

  std::array<PathShape, kPaths> paths_;
  std::array<bool, kPaths> attached_{true, true};
  std::size_t preferred_ = 0;
  std::string client_namespace_, router_namespace_, server_namespace_;
  std::filesystem::path log_dir_;
  OwnedNamespaces namespaces_;
  std::array<std::unique_ptr<ChildProcess>, kPaths> links_;
  int device_counters_ = -1;  // /proc/net/dev of the client namespace
};

}  // namespace msocket::mbench
