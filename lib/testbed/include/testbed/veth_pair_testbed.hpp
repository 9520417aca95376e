// Two network namespaces joined by a veth pair, optionally shaped to a rate
// with tc tbf on both ends (the data and the acknowledgements each get the
// rate): the testbed of `mbench throughput --netns`.
//
//   sender   NAMES-snd  DEVICE(s) 10.77.0.1/24  <-- veth -->  DEVICE(r) 10.77.0.2/24  NAMES-rcv  receiver
//
// Everything it creates is removed by the destructor, which also runs on
// failure and, through interruption.hpp, on Ctrl-C. Needs root.
#pragma once

#include <string>
#include <vector>

#include "testbed/link_model.hpp"
#include "testbed/namespaces.hpp"

namespace msocket::testbed {

// tbf's bucket for `rate`, in bytes: at least 10 ms at the rate (so the
// kernel's timer granularity does not throttle below it) and at least
// 32 KiB (several full-size packets, as TSO sends them in bursts).
std::uint64_t tbf_burst_bytes(BitsPerSecond rate);
// `tc qdisc add dev DEVICE root tbf ...` for `rate`, run inside `ns`.
std::vector<std::string> tbf_command(const std::string& ns, const std::string& device, BitsPerSecond rate);

class VethPairTestbed {
 public:
  // Creates the namespaces NAMES-snd and NAMES-rcv and the veth pair
  // between them. `rate`: bits per second, 0 for no shaping. Throws
  // std::runtime_error when not root or a command fails (after removing
  // what it had made).
  VethPairTestbed(const TestbedNames& names, BitsPerSecond rate);

  const std::string& sender_namespace() const { return sender_namespace_; }
  const std::string& receiver_namespace() const { return receiver_namespace_; }
  const std::string& receiver_address() const { return receiver_address_; }

 private:
  std::string sender_namespace_, receiver_namespace_;
  std::string receiver_address_ = "10.77.0.2";
  OwnedNamespaces namespaces_;
};

}  // namespace msocket::testbed
