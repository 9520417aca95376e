#include "testbed/two_path_testbed.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "core/log.hpp"
#include "testbed/child_process.hpp"
#include "testbed/namespace_entry.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace msocket::testbed {

namespace {

constexpr const char* kRouterServerSide = "10.233.0.1";

// No IPv6 ("default" for the devices still to come, the TUN devices the
// emulator moves in), and every TCP connection starts afresh.
void keep_quiet(const std::string& ns) {
  for (const auto* setting : {"net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1",
                              "net.ipv4.tcp_no_metrics_save=1"})
    run_command(in_namespace(ns, {"sysctl", "-qw", setting}));
}

}  // namespace

std::array<PathShape, 2> default_path_shapes() {
  return {PathShape{"wifi", 80ms, 40'000'000}, PathShape{"lte", 145ms, 20'000'000}};
}

// The emulators run in the router's namespace, so that each creates the
// client's eth0 there (the host may have an eth0 of its own) before moving it.
TwoPathTestbed::TwoPathTestbed(const TestbedNames& names, const std::array<PathShape, kPaths>& paths,
                               const std::vector<std::string>& emulator_command, const fs::path& log_dir)
    : LineTestbed(names, "the two-path testbed", "it builds network namespaces, TUN devices and routes (run as root)",
                  keep_quiet),  // quiet before any device comes up and announces itself
      paths_(paths),
      log_dir_(log_dir) {
  connect_server(names);
  for (std::size_t i = 0; i < kPaths; ++i) {
    const EmulatedLink link{{client_namespace(), client_address(i), client_device(i)},
                            {router_namespace(), TwoPathRoutes::router_address(i), TwoPathRoutes::router_device(i)},
                            paths_[i].rtt / 2,
                            paths_[i].rate};
    links_[i] = std::make_unique<LinkEmulatorProcess>(
        in_namespace(router_namespace(), link_emulator_arguments(emulator_command, link)),
        log_dir_ / ("link-" + paths_[i].name + ".log"));
  }
  ip_batch(client_namespace(), routes_.source_rules());
  for (std::size_t i = 0; i < kPaths; ++i) restore_client_address(i);  // the routes, as after an attach
  device_counters_ = FileDescriptor(open_in_namespace(client_namespace(), "/proc/thread-self/net/dev"));
  log::tool()->info("two-path testbed: {} (eth0 {}, eth1 {}) -- {} -- {}", client_namespace(), paths_[0].name,
                    paths_[1].name, router_namespace(), server_namespace());
}

// The router's veth to the server, forwarding on, and the server's address.
void TwoPathTestbed::connect_server(const TestbedNames& names) {
  const std::string router_veth = names.device_name('r'), server_veth = names.device_name('v');
  run_command(veth_pair_command(router_namespace(), router_veth, server_namespace(), server_veth));
  ip_batch(router_namespace(), {"addr add " + std::string(kRouterServerSide) + "/24 dev " + router_veth,
                                "link set " + router_veth + " up"});
  ip_batch(server_namespace(), {"addr add " + server_address() + "/24 dev " + server_veth,
                                "link set " + server_veth + " up",
                                "route add default via " + std::string(kRouterServerSide)});
  enable_forwarding(router_namespace());
}

void TwoPathTestbed::ip_batch(const std::string& ns, const std::vector<std::string>& commands) {
  run_ip_batch(ns, commands, log_dir_ / "ip-batch");
}

void TwoPathTestbed::prefer_path(std::size_t i) { ip_batch(client_namespace(), routes_.prefer(i)); }

void TwoPathTestbed::remove_client_address(std::size_t i) { ip_batch(client_namespace(), routes_.detach(i)); }

void TwoPathTestbed::restore_client_address(std::size_t i) { ip_batch(client_namespace(), routes_.attach(i)); }

std::array<InterfaceBytes, TwoPathTestbed::kPaths> TwoPathTestbed::client_device_bytes() const {
  std::string text(16384, '\0');
  const auto n = ::pread(device_counters_.get(), text.data(), text.size(), 0);
  if (n <= 0) throw std::runtime_error("cannot read the client's /proc/net/dev: " + std::string(std::strerror(errno)));
  text.resize(static_cast<std::size_t>(n));
  std::array<InterfaceBytes, kPaths> bytes{};
  for (std::size_t i = 0; i < kPaths; ++i) {
    const auto counters = parse_net_dev(text, client_device(i));
    if (!counters) throw std::runtime_error("no counters for " + client_device(i) + " in the client's /proc/net/dev");
    bytes[i] = *counters;
  }
  return bytes;
}

}  // namespace msocket::testbed
