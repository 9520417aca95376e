// Three namespaces in a line, the RTT made by the link emulator between the
// client and the router, so that a move of the client is a move on the
// emulator's TUN device (it forwards IP packets whatever their addresses):
// the network of `mbench recovery`.
//
//   client  DEVICE(c) 10.211.K.2 peer 10.210.0.1  <-- link emulator, RTT/2 each way -->
//   router  DEVICE(r) 10.210.0.1 (route 10.211.0.0/16 to the client)
//           DEVICE(w) 10.212.0.1/16, where a name service can listen for both sides
//   server  DEVICE(v) 10.212.K.2/16, default via 10.212.0.1     (a veth, no delay)
//
// Both ends' addresses move (moving_address.hpp). Every namespace, device
// and child process is removed by the destructor, which also runs on
// failure and, through interruption.hpp, on Ctrl-C. Needs root.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "testbed/link_emulator_process.hpp"
#include "testbed/moving_address.hpp"
#include "testbed/namespaces.hpp"

namespace msocket::testbed {

using WallTime = std::chrono::system_clock::time_point;

class MovingAddressTestbed : public LineTestbed {
 public:
  // The router's address on the server's side.
  static constexpr const char* kRouterAddress = "10.212.0.1";

  // Builds the namespaces and starts the link emulator (`emulator_command`,
  // see link_emulator_process.hpp) with `rtt` split evenly between the two
  // directions; its log goes to `log_dir`/link.log. Throws
  // std::runtime_error when not root, when ip(8) is missing or a step fails
  // (after removing what it had made).
  MovingAddressTestbed(const TestbedNames& names, std::chrono::milliseconds rtt,
                       const std::vector<std::string>& emulator_command, const std::filesystem::path& log_dir);

  std::string client_address() const { return client_.address(); }  // current, "" while it has none
  std::string server_address() const { return server_.address(); }
  // The link emulator's process (its CPU time is the testbed's, not the ends').
  pid_t emulator_pid() const { return link_->pid(); }

  // Moves to the next address (delete, then add, in one ip(8) batch) and
  // returns the time just before ip(8) started.
  WallTime move_client() { return change(client_namespace(), client_.move()); }
  WallTime move_server() { return change(server_namespace(), server_.move()); }
  // Takes the address away (no new one): the end is off the network.
  WallTime drop_client() { return change(client_namespace(), client_.drop()); }
  WallTime drop_server() { return change(server_namespace(), server_.drop()); }
  // Gives an end without an address its next one.
  WallTime attach_client() { return change(client_namespace(), client_.attach()); }
  WallTime attach_server() { return change(server_namespace(), server_.attach()); }

 private:
  void connect_server(const std::string& router_veth);
  WallTime change(const std::string& ns, const std::vector<std::string>& commands);

  // The destructor stops the emulator (its TUN devices vanish with it)
  // before LineTestbed's deletes the namespaces, which takes the veth pair
  // with them.
  std::filesystem::path log_dir_;
  std::string client_device_, router_tun_device_;
  MovingAddress client_, server_;
  std::unique_ptr<LinkEmulatorProcess> link_;
};

}  // namespace msocket::testbed
