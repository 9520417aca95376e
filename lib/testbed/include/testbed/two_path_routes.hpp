// The addresses and routes of the client of the two-path testbed
// (two_path_testbed.hpp), kept as bookkeeping: which path has its address
// and which one the default route prefers, and the ip(8) batch commands
// that take an address off, put it back or change the preference. Pure:
// the testbed runs the commands.
//
// Path i's point-to-point link is 10.23(i+1).0.0: .1 the router, .2 the
// client. The client has a default route per interface in the main table
// (metric 100 for the preferred path, 200 for the other) and one in a table
// of its own (100 + i), chosen by a rule for its address, so that a socket
// bound to eth1's address leaves by eth1.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

namespace msocket::testbed {

class TwoPathRoutes {
 public:
  static constexpr std::size_t kPaths = 2;

  static std::string client_device(std::size_t i);   // "eth0", "eth1"
  static std::string client_address(std::size_t i);  // "10.231.0.2", "10.232.0.2"
  static std::string router_device(std::size_t i);   // "wifi0", "lte0"
  static std::string router_address(std::size_t i);  // "10.231.0.1", "10.232.0.1"

  // `rule add from ADDR table 100+i` for each path: set once, they stay
  // across an address's removal.
  std::vector<std::string> source_rules() const;

  // The default route without a source goes by path i (metric 100; the
  // other path's route gets 200). All flushes come first: two default
  // routes of the same metric cannot coexist.
  std::vector<std::string> prefer(std::size_t i);
  // Takes path i's address off (throws std::logic_error if it has none).
  std::vector<std::string> detach(std::size_t i);
  // Puts path i's address back with its default routes, as DHCP would.
  std::vector<std::string> attach(std::size_t i);

  bool attached(std::size_t i) const { return attached_.at(i); }
  std::size_t preferred() const { return preferred_; }

 private:
  std::vector<std::string> default_route_commands(std::size_t i) const;

  std::array<bool, kPaths> attached_{true, true};
  std::size_t preferred_ = 0;
};

}  // namespace msocket::testbed
