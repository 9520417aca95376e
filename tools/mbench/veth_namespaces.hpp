// The testbed of `mbench throughput --netns`: two network namespaces joined
// by a veth pair, optionally shaped to a rate with tc tbf on both ends (the
// data and the acknowledgements each get the rate). Everything it creates
// is removed by the destructor, which also runs on failure and, through
// interruption.hpp, on Ctrl-C. Needs root.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "namespaces.hpp"
#include "testbed/link_model.hpp"

namespace msocket::mbench {

class VethNamespaces {
 public:
  // Creates mbench-PID-snd and mbench-PID-rcv and the veth pair between
  // them (10.77.0.1/24 and 10.77.0.2/24). `rate`: bits per second, 0 for no
  // shaping. Throws std::runtime_error when not root or a command fails
  // (after removing what it had made).
  explicit VethNamespaces(testbed::BitsPerSecond rate);
  VethNamespaces(const VethNamespaces&) = delete;
  VethNamespaces& operator=(const VethNamespaces&) = delete;

  const std::string& sender_namespace() const { return sender_namespace_; }
  const std::string& receiver_namespace() const { return receiver_namespace_; }
  const std::string& receiver_address() const { return receiver_address_; }

 private:
  std::string sender_namespace_, receiver_namespace_;
  std::string receiver_address_ = "10.77.0.2";
  OwnedNamespaces namespaces_;
};

}  // namespace msocket::mbench
