// One end's address in the address-move testbed (moving_address_testbed.hpp),
// kept as bookkeeping: the address moves through the subnets NETWORK.K.2,
// K = 1, 2, ... 250 and round again, and may be taken away and given back.
// Each change is returned as the ip(8) batch commands that make it, delete
// before add as a phone does it. Pure: the testbed runs the commands.
#pragma once

#include <string>
#include <vector>

namespace msocket::testbed {

class MovingAddress {
 public:
  static constexpr unsigned kSubnets = 250;

  // `network`: "10.211." for 10.211.K.2; `form`: what follows the address
  // in `addr add` (" peer 10.210.0.1", "/16"); `device`: where it goes;
  // `default_route`: the route command that comes with each new address
  // ("route replace default dev DEV"). It starts on K = 1, attached.
  MovingAddress(std::string network, std::string form, std::string device, std::string default_route);

  // The current address ("10.211.3.2"), "" while detached.
  std::string address() const;
  const std::string& device() const { return device_; }
  unsigned subnet() const { return subnet_; }
  bool attached() const { return attached_; }

  // The current address with its default route, as DHCP sets them both.
  std::vector<std::string> add_commands() const;
  // To the next subnet: deletes the current address (if any), adds the next.
  std::vector<std::string> move();
  // Takes the address away, no new one (throws std::logic_error if none).
  std::vector<std::string> drop();
  // Gives a detached end the next subnet's address.
  std::vector<std::string> attach();

 private:
  std::string with_device() const;  // "ADDR FORM dev DEVICE"

  std::string network_, form_, device_, default_route_;
  unsigned subnet_ = 1;
  bool attached_ = true;
};

}  // namespace msocket::testbed
