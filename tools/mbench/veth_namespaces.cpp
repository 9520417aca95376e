#include "veth_namespaces.hpp"

#include <unistd.h>

#include <algorithm>
#include <stdexcept>

#include "child_process.hpp"
#include "core/log.hpp"

namespace msocket::mbench {

namespace {

// tbf's bucket: at least 10 ms at the rate (so the kernel's timer
// granularity does not throttle below it) and at least 32 KiB (several
// full-size packets, as TSO sends them in bursts).
std::string burst_for(testbed::BitsPerSecond rate) {
  const auto bytes_per_10ms = static_cast<std::uint64_t>(rate) / 8 / 100;
  return std::to_string(std::max<std::uint64_t>(32 * 1024, bytes_per_10ms));
}

}  // namespace

VethNamespaces::VethNamespaces(testbed::BitsPerSecond rate) {
  if (::geteuid() != 0)
    throw std::runtime_error("--netns needs root: it creates network namespaces and a veth pair "
                             "(run as root, or leave out --netns to measure on loopback)");
  if (!find_in_path("ip")) throw std::runtime_error("--netns needs ip(8) from iproute2, which is not installed");
  const auto pid = std::to_string(::getpid());
  sender_namespace_ = "mbench-" + pid + "-snd";
  receiver_namespace_ = "mbench-" + pid + "-rcv";
  const std::string sender_device = "mb" + pid + "s", receiver_device = "mb" + pid + "r";
  // A failure leaves the rest to namespaces_, whose destructor removes them.
  for (const auto& ns : {sender_namespace_, receiver_namespace_}) namespaces_.add(ns);
  run_command({"ip", "link", "add", sender_device, "netns", sender_namespace_, "type", "veth", "peer", "name",
               receiver_device, "netns", receiver_namespace_});
  const std::pair<const std::string*, std::pair<std::string, std::string>> ends[] = {
      {&sender_namespace_, {sender_device, "10.77.0.1/24"}}, {&receiver_namespace_, {receiver_device, "10.77.0.2/24"}}};
  for (const auto& [ns, end] : ends) {
    run_command({"ip", "-n", *ns, "addr", "add", end.second, "dev", end.first});
    run_command({"ip", "-n", *ns, "link", "set", end.first, "up"});
    if (rate > 0)
      run_command({"ip", "netns", "exec", *ns, "tc", "qdisc", "add", "dev", end.first, "root", "tbf", "rate",
                   std::to_string(static_cast<std::uint64_t>(rate)) + "bit", "burst", burst_for(rate), "latency",
                   "50ms"});
  }
  log::tool()->info("namespaces {} and {} joined by {} <-> {}{}", sender_namespace_, receiver_namespace_,
                    sender_device, receiver_device, rate > 0 ? " at " + testbed::format_rate(rate) : "");
}

}  // namespace msocket::mbench
