#include "recovery_testbed.hpp"

#include <unistd.h>

#include <stdexcept>

#include "core/log.hpp"
#include "log_lines.hpp"
#include "report.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

constexpr unsigned kSubnets = 250;  // K cycles through 1..250

std::string client_address_of(unsigned subnet) { return "10.211." + std::to_string(subnet) + ".2"; }
std::string server_address_of(unsigned subnet) { return "10.212." + std::to_string(subnet) + ".2"; }
unsigned next_subnet(unsigned subnet) { return subnet % kSubnets + 1; }

std::string milliseconds_text(std::chrono::microseconds d) {
  return std::to_string(d.count() / 1000) + "." + std::to_string(d.count() % 1000 / 100) + "ms";
}

}  // namespace

RecoveryTestbed::RecoveryTestbed(std::chrono::milliseconds rtt, const fs::path& self, const fs::path& log_dir)
    : log_dir_(log_dir) {
  if (::geteuid() != 0)
    throw std::runtime_error("mbench recovery needs root: it builds network namespaces, a veth pair and TUN "
                             "devices, and moves addresses (run it as root)");
  if (!find_in_path("ip")) throw std::runtime_error("mbench recovery needs ip(8) from iproute2, which is not installed");
  const auto pid = std::to_string(::getpid());
  client_namespace_ = "mbench-" + pid + "-cli";
  router_namespace_ = "mbench-" + pid + "-rtr";
  server_namespace_ = "mbench-" + pid + "-srv";
  client_device_ = "mb" + pid + "c";
  router_tun_device_ = "mb" + pid + "r";
  router_veth_device_ = "mb" + pid + "w";
  server_device_ = "mb" + pid + "v";
  try {
    for (const auto& ns : {client_namespace_, router_namespace_, server_namespace_}) namespaces_.add(ns);
    run_command({"ip", "link", "add", router_veth_device_, "netns", router_namespace_, "type", "veth", "peer", "name",
                 server_device_, "netns", server_namespace_});
    run_command({"ip", "-n", router_namespace_, "addr", "add", std::string(kRouterAddress) + "/16", "dev",
                 router_veth_device_});
    run_command({"ip", "-n", router_namespace_, "link", "set", router_veth_device_, "up"});
    run_command(in_namespace(router_namespace_, {"sysctl", "-qw", "net.ipv4.ip_forward=1"}));
    run_command({"ip", "-n", server_namespace_, "link", "set", server_device_, "up"});
    change_addresses(server_namespace_, server_add_commands());

    // The emulator: half the RTT each way, unlimited rate, no loss.
    const auto one_way = std::chrono::duration_cast<std::chrono::microseconds>(rtt) / 2;
    const auto log = log_dir_ / "link.log";
    link_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{self.string(), "link", "-v", "--ns-a", client_namespace_, "--addr-a",
                                 client_address_of(client_subnet_), "--ns-b", router_namespace_, "--addr-b", "10.210.0.1",
                                 "--dev-a", client_device_, "--dev-b", router_tun_device_, "--delay",
                                 milliseconds_text(one_way)},
        ChildStreams{-1, -1, log});
    wait_for_lines(log, "link up: ", 1, *link_, 10s);
    run_command({"ip", "-n", client_namespace_, "route", "replace", "default", "dev", client_device_});
    run_command({"ip", "-n", router_namespace_, "route", "add", "10.211.0.0/16", "dev", router_tun_device_});
  } catch (...) {
    remove();
    throw;
  }
  log::tool()->info("testbed: {} -- {} (RTT {} ms) -- {}", client_namespace_, router_namespace_, rtt.count(),
                    server_namespace_);
}

RecoveryTestbed::~RecoveryTestbed() { remove(); }

// The emulator goes first: its TUN devices vanish with it. Deleting a
// namespace deletes its end of the veth, and with it the pair.
void RecoveryTestbed::remove() {
  if (link_) {
    const auto exit = link_->stop();
    if (!exit.success()) log::tool()->warn("the link emulator {}: {}", exit.describe(), file_tail(log_dir_ / "link.log"));
    link_.reset();
  }
  namespaces_.remove();
}

std::string RecoveryTestbed::client_address() const {
  return client_attached_ ? client_address_of(client_subnet_) : "";
}

std::string RecoveryTestbed::server_address() const {
  return server_attached_ ? server_address_of(server_subnet_) : "";
}

// The new address and the default route together, as DHCP sets them: the
// route went with the last address.
std::vector<std::string> RecoveryTestbed::client_add_commands() {
  return {"addr add " + client_address_of(client_subnet_) + " peer 10.210.0.1 dev " + client_device_,
          "route replace default dev " + client_device_};
}

std::vector<std::string> RecoveryTestbed::server_add_commands() {
  return {"addr add " + server_address_of(server_subnet_) + "/16 dev " + server_device_,
          "route replace default via " + std::string(kRouterAddress) + " dev " + server_device_};
}

WallTime RecoveryTestbed::change_addresses(const std::string& ns, const std::vector<std::string>& commands) {
  const auto batch = log_dir_ / "ip-batch";
  std::string text;
  for (const auto& c : commands) text += c + "\n";
  write_file(batch, text);
  const auto started = std::chrono::system_clock::now();
  run_command({"ip", "-n", ns, "-batch", batch.string()});
  return started;
}

WallTime RecoveryTestbed::move_client() {
  std::vector<std::string> commands;
  if (client_attached_)
    commands.push_back("addr del " + client_address_of(client_subnet_) + " peer 10.210.0.1 dev " + client_device_);
  client_subnet_ = next_subnet(client_subnet_);
  client_attached_ = true;
  for (auto& c : client_add_commands()) commands.push_back(std::move(c));
  return change_addresses(client_namespace_, commands);
}

WallTime RecoveryTestbed::move_server() {
  std::vector<std::string> commands;
  if (server_attached_)
    commands.push_back("addr del " + server_address_of(server_subnet_) + "/16 dev " + server_device_);
  server_subnet_ = next_subnet(server_subnet_);
  server_attached_ = true;
  for (auto& c : server_add_commands()) commands.push_back(std::move(c));
  return change_addresses(server_namespace_, commands);
}

WallTime RecoveryTestbed::drop_client() {
  if (!client_attached_) throw std::logic_error("drop_client: no address to drop");
  client_attached_ = false;
  return change_addresses(client_namespace_,
                          {"addr del " + client_address_of(client_subnet_) + " peer 10.210.0.1 dev " + client_device_});
}

WallTime RecoveryTestbed::drop_server() {
  if (!server_attached_) throw std::logic_error("drop_server: no address to drop");
  server_attached_ = false;
  return change_addresses(server_namespace_,
                          {"addr del " + server_address_of(server_subnet_) + "/16 dev " + server_device_});
}

WallTime RecoveryTestbed::attach_client() {
  client_subnet_ = next_subnet(client_subnet_);
  client_attached_ = true;
  return change_addresses(client_namespace_, client_add_commands());
}

WallTime RecoveryTestbed::attach_server() {
  server_subnet_ = next_subnet(server_subnet_);
  server_attached_ = true;
  return change_addresses(server_namespace_, server_add_commands());
}

}  // namespace msocket::mbench
