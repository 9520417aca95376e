// The network of `mbench recovery`: three namespaces in a line, the RTT made
// by the user-space link emulator (`mbench link`) between the client and the
// router, so that a move of the client is a move on the emulator's TUN device
// (the emulator forwards IP packets whatever their addresses):
//
//   client  mb<pid>c 10.211.K.2 peer 10.210.0.1  <-- mbench link, RTT/2 each way -->
//   router  mb<pid>r 10.210.0.1 (route 10.211.0.0/16 to the client)
//           mb<pid>w 10.212.0.1/16; mnamed listens here, for both sides
//   server  mb<pid>v 10.212.K.2/16, default via 10.212.0.1     (a veth, no delay)
//
// A move is delete-then-add in one ip(8) batch, as a phone does it. Every
// namespace, device and child process is removed by the destructor, which
// also runs on failure and, through interruption.hpp, on Ctrl-C. Needs root.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "namespaces.hpp"

namespace msocket::mbench {

using WallTime = std::chrono::system_clock::time_point;

class RecoveryTestbed {
 public:
  // Builds the namespaces and starts `mbench` (this program, at `self`) as the
  // link emulator with `rtt` split evenly between the two directions. Its log
  // goes to `log_dir`/link.log. Throws std::runtime_error when not root, when
  // ip(8) is missing or a step fails (after removing what it had made).
  RecoveryTestbed(std::chrono::milliseconds rtt, const std::filesystem::path& self,
                  const std::filesystem::path& log_dir);
  ~RecoveryTestbed();
  RecoveryTestbed(const RecoveryTestbed&) = delete;
  RecoveryTestbed& operator=(const RecoveryTestbed&) = delete;

  const std::string& client_namespace() const { return client_namespace_; }
  const std::string& router_namespace() const { return router_namespace_; }
  const std::string& server_namespace() const { return server_namespace_; }
  // The address the name service listens on (in the router).
  static constexpr const char* kRouterAddress = "10.212.0.1";
  std::string client_address() const;  // current, "" while it has none
  std::string server_address() const;

  // Moves to the next address (delete, then add, in one ip(8) batch) and
  // returns the time just before ip(8) started.
  WallTime move_client();
  WallTime move_server();
  // Takes the address away (no new one): the end is off the network.
  WallTime drop_client();
  WallTime drop_server();
  // Gives an end without an address its next one.
  WallTime attach_client();
  WallTime attach_server();

 private:
  WallTime change_addresses(const std::string& ns, const std::vector<std::string>& commands);
  std::vector<std::string> client_add_commands();
  std::vector<std::string> server_add_commands();
  void remove();

  std::string client_namespace_, router_namespace_, server_namespace_;
  std::string client_device_, router_tun_device_, router_veth_device_, server_device_;
  unsigned client_subnet_ = 1, server_subnet_ = 1;  // K of the current 10.211.K.2, 10.212.K.2
  bool client_attached_ = true, server_attached_ = true;
  std::filesystem::path log_dir_;
  OwnedNamespaces namespaces_;
  std::unique_ptr<ChildProcess> link_;
};

}  // namespace msocket::mbench
