#include "testbed/moving_address_testbed.hpp"

#include "core/log.hpp"
#include "testbed/child_process.hpp"

namespace fs = std::filesystem;

namespace msocket::testbed {

namespace {

constexpr const char* kRouterTunAddress = "10.210.0.1";

}  // namespace

MovingAddressTestbed::MovingAddressTestbed(const TestbedNames& names, std::chrono::milliseconds rtt,
                                           const std::vector<std::string>& emulator_command, const fs::path& log_dir)
    : LineTestbed(names, "the address-move testbed",
                  "it builds network namespaces, a veth pair and TUN devices, and moves addresses (run as root)"),
      log_dir_(log_dir),
      client_device_(names.device_name('c')),
      router_tun_device_(names.device_name('r')),
      client_("10.211.", std::string(" peer ") + kRouterTunAddress, client_device_,
              "route replace default dev " + client_device_),
      server_("10.212.", "/16", names.device_name('v'),
              "route replace default via " + std::string(kRouterAddress) + " dev " + names.device_name('v')) {
  connect_server(names.device_name('w'));
  // The emulator: half the RTT each way, unlimited rate, no loss.
  const EmulatedLink link{{client_namespace(), client_.address(), client_device_},
                          {router_namespace(), kRouterTunAddress, router_tun_device_},
                          std::chrono::duration_cast<std::chrono::microseconds>(rtt) / 2,
                          std::nullopt};
  link_ = std::make_unique<LinkEmulatorProcess>(link_emulator_arguments(emulator_command, link), log_dir_ / "link.log");
  run_command({"ip", "-n", client_namespace(), "route", "replace", "default", "dev", client_device_});
  run_command({"ip", "-n", router_namespace(), "route", "add", "10.211.0.0/16", "dev", router_tun_device_});
  log::tool()->info("testbed: {} -- {} (RTT {} ms) -- {}", client_namespace(), router_namespace(), rtt.count(),
                    server_namespace());
}

// The router's veth to the server, forwarding on, and the server's first address.
void MovingAddressTestbed::connect_server(const std::string& router_veth) {
  const auto& server_device = server_.device();
  run_command(veth_pair_command(router_namespace(), router_veth, server_namespace(), server_device));
  run_command({"ip", "-n", router_namespace(), "addr", "add", std::string(kRouterAddress) + "/16", "dev", router_veth});
  run_command({"ip", "-n", router_namespace(), "link", "set", router_veth, "up"});
  enable_forwarding(router_namespace());
  run_command({"ip", "-n", server_namespace(), "link", "set", server_device, "up"});
  change(server_namespace(), server_.add_commands());
}

WallTime MovingAddressTestbed::change(const std::string& ns, const std::vector<std::string>& commands) {
  return run_ip_batch(ns, commands, log_dir_ / "ip-batch");
}

}  // namespace msocket::testbed
