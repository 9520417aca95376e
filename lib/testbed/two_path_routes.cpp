#include "testbed/two_path_routes.hpp"

#include <stdexcept>

namespace msocket::testbed {

namespace {

unsigned route_table(std::size_t i) { return 100 + static_cast<unsigned>(i); }

}  // namespace

std::string TwoPathRoutes::client_device(std::size_t i) { return "eth" + std::to_string(i); }
std::string TwoPathRoutes::client_address(std::size_t i) { return "10.23" + std::to_string(i + 1) + ".0.2"; }
std::string TwoPathRoutes::router_device(std::size_t i) { return i == 0 ? "wifi0" : "lte0"; }
std::string TwoPathRoutes::router_address(std::size_t i) { return "10.23" + std::to_string(i + 1) + ".0.1"; }

std::vector<std::string> TwoPathRoutes::source_rules() const {
  std::vector<std::string> rules;
  for (std::size_t i = 0; i < kPaths; ++i)
    rules.push_back("rule add from " + client_address(i) + " table " + std::to_string(route_table(i)));
  return rules;
}

// Each path's default routes in the main table are flushed and one added
// with its metric: a replace would keep a route of the other metric, and
// routes may or may not survive the loss of the address.
std::vector<std::string> TwoPathRoutes::default_route_commands(std::size_t i) const {
  return {"route flush exact 0.0.0.0/0 dev " + client_device(i) + " table main",
          "route add default dev " + client_device(i) + " metric " + (i == preferred_ ? "100" : "200")};
}

std::vector<std::string> TwoPathRoutes::prefer(std::size_t i) {
  preferred_ = i;
  std::vector<std::string> flushes, additions;
  for (std::size_t k = 0; k < kPaths; ++k) {
    if (!attached_[k]) continue;
    const auto commands = default_route_commands(k);
    flushes.push_back(commands[0]);
    additions.push_back(commands[1]);
  }
  flushes.insert(flushes.end(), additions.begin(), additions.end());
  return flushes;
}

std::vector<std::string> TwoPathRoutes::detach(std::size_t i) {
  if (!attached_.at(i)) throw std::logic_error("detach: path already without its address");
  attached_[i] = false;
  return {"addr del " + client_address(i) + " peer " + router_address(i) + " dev " + client_device(i)};
}

// The rule "from ADDR" stays across a removal; its table's route may not.
std::vector<std::string> TwoPathRoutes::attach(std::size_t i) {
  const auto device = client_device(i);
  auto commands = default_route_commands(i);
  commands.insert(commands.begin(), "addr replace " + client_address(i) + " peer " + router_address(i) + " dev " + device);
  commands.push_back("route replace default dev " + device + " table " + std::to_string(route_table(i)));
  attached_.at(i) = true;
  return commands;
}

}  // namespace msocket::testbed
