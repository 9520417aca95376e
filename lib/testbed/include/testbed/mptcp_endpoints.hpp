// Kernel MPTCP on the two-path testbed, for a rival of msocket: enabled in
// the client's and the server's namespaces with room for two subflows, and
// endpoints (`ip mptcp endpoint`) that tell the client's in-kernel path
// manager which addresses to open subflows from. The endpoints are what a
// path manager daemon (mptcpd, NetworkManager) would keep in step with the
// addresses; msocket follows them by itself.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "testbed/two_path_testbed.hpp"

namespace msocket::testbed {

// The command lines (pure). Endpoint ids are ours to choose: path i is
// i + 1 (0 is the kernel's own).
std::vector<std::string> mptcp_limits_command(const std::string& ns);
std::vector<std::string> subflow_endpoint_add_command(const std::string& ns, const std::string& address,
                                                      const std::string& device, std::size_t path);
std::vector<std::string> endpoint_delete_command(const std::string& ns, std::size_t path);
std::vector<std::string> endpoint_flush_command(const std::string& ns);

// Enables MPTCP (net.mptcp.enabled=1, limits: subflows 2, add_addr_accepted
// 2) on both ends. Returns why MPTCP cannot be used (no kernel support, a
// step failed), or nullopt when it is ready.
std::optional<std::string> enable_mptcp(const TwoPathTestbed& testbed);

// An endpoint for path i's client address: existing connections open a
// subflow from it at once, new ones at their start. Throws if ip(8) fails.
void add_subflow_endpoint(const TwoPathTestbed& testbed, std::size_t path);
// Removes path i's endpoint; the subflows from its address are closed.
void delete_endpoint(const TwoPathTestbed& testbed, std::size_t path);
// Removes every endpoint of the client.
void flush_endpoints(const TwoPathTestbed& testbed);

}  // namespace msocket::testbed
