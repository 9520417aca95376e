#include "testbed/mptcp_endpoints.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "testbed/child_process.hpp"

namespace msocket::testbed {

namespace {

constexpr int kMptcpProtocol = 262;  // IPPROTO_MPTCP, missing from older libc headers

std::string endpoint_id(std::size_t path) { return std::to_string(path + 1); }

}  // namespace

std::vector<std::string> mptcp_limits_command(const std::string& ns) {
  return {"ip", "-n", ns, "mptcp", "limits", "set", "subflows", "2", "add_addr_accepted", "2"};
}

std::vector<std::string> subflow_endpoint_add_command(const std::string& ns, const std::string& address,
                                                      const std::string& device, std::size_t path) {
  return {"ip", "-n", ns, "mptcp", "endpoint", "add", address, "dev", device, "id", endpoint_id(path), "subflow"};
}

std::vector<std::string> endpoint_delete_command(const std::string& ns, std::size_t path) {
  return {"ip", "-n", ns, "mptcp", "endpoint", "delete", "id", endpoint_id(path)};
}

std::vector<std::string> endpoint_flush_command(const std::string& ns) {
  return {"ip", "-n", ns, "mptcp", "endpoint", "flush"};
}

std::optional<std::string> enable_mptcp(const TwoPathTestbed& testbed) {
  const int probe = ::socket(AF_INET, SOCK_STREAM, kMptcpProtocol);
  if (probe < 0) return std::string("the kernel refuses IPPROTO_MPTCP sockets: ") + std::strerror(errno);
  ::close(probe);
  try {
    for (const auto& ns : {testbed.client_namespace(), testbed.server_namespace()}) {
      run_command(in_namespace(ns, {"sysctl", "-qw", "net.mptcp.enabled=1"}));
      run_command(mptcp_limits_command(ns));
    }
  } catch (const std::runtime_error& e) {
    return std::string("cannot set MPTCP up: ") + e.what();
  }
  return std::nullopt;
}

void add_subflow_endpoint(const TwoPathTestbed& testbed, std::size_t path) {
  run_command(subflow_endpoint_add_command(testbed.client_namespace(), TwoPathTestbed::client_address(path),
                                           TwoPathTestbed::client_device(path), path));
}

void delete_endpoint(const TwoPathTestbed& testbed, std::size_t path) {
  run_command(endpoint_delete_command(testbed.client_namespace(), path));
}

void flush_endpoints(const TwoPathTestbed& testbed) { run_command(endpoint_flush_command(testbed.client_namespace())); }

}  // namespace msocket::testbed
