// A minimal two-path network of the energy benchmark's own: veth pairs
// shaped with tc tbf (WiFi 40 Mbit/s, LTE 20 Mbit/s), without added delay.
//
//   client mbench-PID-ecli  eth0 10.213.1.2/24 --- c0 10.213.1.1  router mbench-PID-ertr
//                           eth1 10.213.2.2/24 --- c1 10.213.2.1
//   server mbench-PID-esrv  srv 10.214.0.2/24  --- rs 10.214.0.1
#include "energy_testbed.hpp"

#include <unistd.h>

#include <stdexcept>
#include <vector>

#include "child_process.hpp"
#include "log.hpp"

namespace msocket::mbench {

namespace {

void disable_ipv6(const std::string& ns) {
  for (const auto* setting : {"net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1"})
    run_command({"ip", "netns", "exec", ns, "sysctl", "-qw", setting});
}

struct OwnPath {
  const char* interface;
  const char* router_side;
  const char* subnet;  // the third byte of 10.213.X.0/24
  const char* rate;
  const char* metric;
};

constexpr OwnPath kPaths[] = {{"eth0", "c0", "1", "40mbit", "100"}, {"eth1", "c1", "2", "20mbit", "200"}};

class OwnTwoPathTestbed final : public EnergyTestbed {
 public:
  OwnTwoPathTestbed() {
    const auto pid = std::to_string(::getpid());
    client_ = "mbench-" + pid + "-ecli";
    router_ = "mbench-" + pid + "-ertr";
    server_ = "mbench-" + pid + "-esrv";
    try {
      build();
    } catch (...) {
      remove();
      throw;
    }
    log::tool()->info("energy testbed: {} (eth0, eth1) -- {} -- {}", client_, router_, server_);
  }
  ~OwnTwoPathTestbed() override { remove(); }

  const EnergyNetwork& network() const override { return network_; }
  std::string description() const override {
    return "eth0 (WiFi) 40 Mbit/s and eth1 (LTE) 20 Mbit/s, tc tbf on veth pairs, no added delay";
  }

 private:
  void build() {
    for (const auto& ns : {client_, router_, server_}) {
      run_command({"ip", "netns", "add", ns});
      created_.push_back(ns);
      run_command({"ip", "-n", ns, "link", "set", "lo", "up"});
      disable_ipv6(ns);  // before any interface comes up and announces itself
    }
    for (const auto& path : kPaths) {
      const std::string net = std::string("10.213.") + path.subnet;
      run_command({"ip", "-n", client_, "link", "add", path.interface, "type", "veth", "peer", "name",
                   path.router_side, "netns", router_});
      run_command({"ip", "-n", client_, "addr", "add", net + ".2/24", "dev", path.interface});
      run_command({"ip", "-n", client_, "link", "set", path.interface, "up"});
      run_command({"ip", "-n", router_, "addr", "add", net + ".1/24", "dev", path.router_side});
      run_command({"ip", "-n", router_, "link", "set", path.router_side, "up"});
      run_command({"ip", "-n", client_, "route", "add", "default", "via", net + ".1", "dev", path.interface,
                   "metric", path.metric});
      for (const auto& [ns, device] : {std::pair{client_, path.interface}, std::pair{router_, path.router_side}})
        run_command({"tc", "-n", ns, "qdisc", "replace", "dev", device, "root", "tbf", "rate", path.rate, "burst",
                     "32kb", "latency", "50ms"});
      network_.client_interfaces.push_back(path.interface);
      network_.client_addresses.push_back(net + ".2");
    }
    run_command({"ip", "-n", server_, "link", "add", "srv", "type", "veth", "peer", "name", "rs", "netns", router_});
    run_command({"ip", "-n", server_, "addr", "add", "10.214.0.2/24", "dev", "srv"});
    run_command({"ip", "-n", server_, "link", "set", "srv", "up"});
    run_command({"ip", "-n", router_, "addr", "add", "10.214.0.1/24", "dev", "rs"});
    run_command({"ip", "-n", router_, "link", "set", "rs", "up"});
    run_command({"ip", "-n", server_, "route", "add", "default", "via", "10.214.0.1"});
    run_command({"ip", "netns", "exec", router_, "sysctl", "-qw", "net.ipv4.ip_forward=1"});
    network_.client_namespace = client_;
    network_.router_namespace = router_;
    network_.server_namespace = server_;
    network_.server_address = "10.214.0.2";
  }

  void remove() {
    for (const auto& ns : created_) {
      try {
        run_command({"ip", "netns", "del", ns});
      } catch (const std::exception& e) {
        log::tool()->warn("could not remove namespace {}: {}", ns, e.what());
      }
    }
    created_.clear();
  }

  std::string client_, router_, server_;
  std::vector<std::string> created_;
  EnergyNetwork network_;
};

// What any testbed needs for energy: no traffic but the downloads'. IPv6's
// neighbour discovery and MLD reports would wake a radio for nothing (and
// cost LTE a whole tail); saved TCP metrics would make a run depend on the
// one before.
void quiet_for_energy(const EnergyNetwork& network) {
  for (const auto& ns : {network.client_namespace, network.router_namespace}) disable_ipv6(ns);
  for (const auto& ns : {network.client_namespace, network.server_namespace})
    run_command({"ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.tcp_no_metrics_save=1"});
}

}  // namespace

std::unique_ptr<EnergyTestbed> make_energy_testbed(const std::filesystem::path&) {
  if (::geteuid() != 0)
    throw std::runtime_error("mbench energy needs root: it builds network namespaces (or use --power-trace)");
  for (const char* tool : {"ip", "tc"})
    if (!find_in_path(tool)) throw std::runtime_error(std::string(tool) + "(8) from iproute2 is not installed");
  auto testbed = std::make_unique<OwnTwoPathTestbed>();
  quiet_for_energy(testbed->network());
  return testbed;
}

}  // namespace msocket::mbench
