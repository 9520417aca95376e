#include "testbed/veth_pair_testbed.hpp"

#include <algorithm>
#include <utility>

#include "core/log.hpp"
#include "testbed/child_process.hpp"

namespace msocket::testbed {

std::uint64_t tbf_burst_bytes(BitsPerSecond rate) {
  const auto bytes_per_10ms = static_cast<std::uint64_t>(rate) / 8 / 100;
  return std::max<std::uint64_t>(32 * 1024, bytes_per_10ms);
}

std::vector<std::string> tbf_command(const std::string& ns, const std::string& device, BitsPerSecond rate) {
  return in_namespace(ns, {"tc", "qdisc", "add", "dev", device, "root", "tbf", "rate",
                           std::to_string(static_cast<std::uint64_t>(rate)) + "bit", "burst",
                           std::to_string(tbf_burst_bytes(rate)), "latency", "50ms"});
}

VethPairTestbed::VethPairTestbed(const TestbedNames& names, BitsPerSecond rate)
    : sender_namespace_(names.namespace_name("snd")), receiver_namespace_(names.namespace_name("rcv")) {
  require_root_and_ip("the veth pair testbed", "it creates network namespaces and a veth pair (run as root)");
  const std::string sender_device = names.device_name('s'), receiver_device = names.device_name('r');
  // A failure leaves the rest to namespaces_, whose destructor removes them.
  for (const auto& ns : {sender_namespace_, receiver_namespace_}) namespaces_.add(ns);
  run_command(veth_pair_command(sender_namespace_, sender_device, receiver_namespace_, receiver_device));
  const std::pair<const std::string*, std::pair<std::string, std::string>> ends[] = {
      {&sender_namespace_, {sender_device, "10.77.0.1/24"}}, {&receiver_namespace_, {receiver_device, "10.77.0.2/24"}}};
  for (const auto& [ns, end] : ends) {
    run_command({"ip", "-n", *ns, "addr", "add", end.second, "dev", end.first});
    run_command({"ip", "-n", *ns, "link", "set", end.first, "up"});
    if (rate > 0) run_command(tbf_command(*ns, end.first, rate));
  }
  log::tool()->info("namespaces {} and {} joined by {} <-> {}{}", sender_namespace_, receiver_namespace_,
                    sender_device, receiver_device, rate > 0 ? " at " + format_rate(rate) : "");
}

}  // namespace msocket::testbed
