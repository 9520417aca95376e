#include "mptcp_setup.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "child_process.hpp"

namespace msocket::mbench {

namespace {

constexpr int kMptcpProtocol = 262;  // IPPROTO_MPTCP

// Endpoint ids are ours to choose: path i is i + 1 (0 is the kernel's own).
std::string endpoint_id(std::size_t path) { return std::to_string(path + 1); }

}  // namespace

std::optional<std::string> enable_mptcp(const TwoPathTestbed& testbed) {
  const int probe = ::socket(AF_INET, SOCK_STREAM, kMptcpProtocol);
  if (probe < 0) return std::string("the kernel refuses IPPROTO_MPTCP sockets: ") + std::strerror(errno);
  ::close(probe);
  try {
    for (const auto& ns : {testbed.client_namespace(), testbed.server_namespace()}) {
      run_command(in_namespace(ns, {"sysctl", "-qw", "net.mptcp.enabled=1"}));
      run_command({"ip", "-n", ns, "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2"});
    }
  } catch (const std::runtime_error& e) {
    return std::string("cannot set MPTCP up: ") + e.what();
  }
  return std::nullopt;
}

void add_subflow_endpoint(const TwoPathTestbed& testbed, std::size_t path) {
  run_command({"ip", "-n", testbed.client_namespace(), "mptcp", "endpoint", "add",
               TwoPathTestbed::client_address(path), "dev", TwoPathTestbed::client_device(path), "id",
               endpoint_id(path), "subflow"});
}

void delete_endpoint(const TwoPathTestbed& testbed, std::size_t path) {
  run_command({"ip", "-n", testbed.client_namespace(), "mptcp", "endpoint", "delete", "id", endpoint_id(path)});
}

void flush_endpoints(const TwoPathTestbed& testbed) {
  run_command({"ip", "-n", testbed.client_namespace(), "mptcp", "endpoint", "flush"});
}

}  // namespace msocket::mbench
