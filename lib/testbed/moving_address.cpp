#include "testbed/moving_address.hpp"

#include <stdexcept>

namespace msocket::testbed {

MovingAddress::MovingAddress(std::string network, std::string form, std::string device, std::string default_route)
    : network_(std::move(network)), form_(std::move(form)), device_(std::move(device)),
      default_route_(std::move(default_route)) {}

std::string MovingAddress::address() const {
  return attached_ ? network_ + std::to_string(subnet_) + ".2" : "";
}

std::string MovingAddress::with_device() const {
  return network_ + std::to_string(subnet_) + ".2" + form_ + " dev " + device_;
}

std::vector<std::string> MovingAddress::add_commands() const { return {"addr add " + with_device(), default_route_}; }

std::vector<std::string> MovingAddress::move() {
  std::vector<std::string> commands;
  if (attached_) commands.push_back("addr del " + with_device());
  for (auto& c : attach()) commands.push_back(std::move(c));
  return commands;
}

std::vector<std::string> MovingAddress::drop() {
  if (!attached_) throw std::logic_error("drop: no address to drop");
  attached_ = false;
  return {"addr del " + with_device()};
}

std::vector<std::string> MovingAddress::attach() {
  subnet_ = subnet_ % kSubnets + 1;
  attached_ = true;
  return add_commands();
}

}  // namespace msocket::testbed
