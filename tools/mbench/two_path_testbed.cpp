#include "two_path_testbed.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "core/log.hpp"
#include "log_lines.hpp"
#include "report.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

// Path i's point-to-point link is 10.231+i.0.0: .1 the router, .2 the client.
std::string router_address(std::size_t i) { return "10.23" + std::to_string(i + 1) + ".0.1"; }
std::string router_device(std::size_t i) { return i == 0 ? "wifi0" : "lte0"; }
unsigned route_table(std::size_t i) { return 100 + static_cast<unsigned>(i); }
constexpr const char* kRouterServerSide = "10.233.0.1";

// "72.500ms": mbench link takes milliseconds with a fraction, not "us".
std::string milliseconds_text(std::chrono::microseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3fms", static_cast<double>(d.count()) / 1000);
  return text;
}

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

std::string TwoPathTestbed::client_device(std::size_t i) { return "eth" + std::to_string(i); }
std::string TwoPathTestbed::client_address(std::size_t i) { return "10.23" + std::to_string(i + 1) + ".0.2"; }

TwoPathTestbed::TwoPathTestbed(const std::array<PathShape, kPaths>& paths, const fs::path& self,
                               const fs::path& log_dir)
    : paths_(paths), log_dir_(log_dir) {
  if (::geteuid() != 0)
    throw std::runtime_error("the two-path testbed needs root: it builds network namespaces, TUN devices "
                             "and routes (run as root)");
  if (!find_in_path("ip")) throw std::runtime_error("the two-path testbed needs ip(8) from iproute2, which is not installed");
  const auto pid = std::to_string(::getpid());
  client_namespace_ = "mbench-" + pid + "-cli";
  router_namespace_ = "mbench-" + pid + "-rtr";
  server_namespace_ = "mbench-" + pid + "-srv";
  const std::string router_veth = "mb" + pid + "r", server_veth = "mb" + pid + "v";
  try {
    for (const auto& ns : {client_namespace_, router_namespace_, server_namespace_}) {
      namespaces_.add(ns);
      keep_quiet(ns);  // before any device comes up and announces itself
    }
    run_command({"ip", "link", "add", router_veth, "netns", router_namespace_, "type", "veth", "peer", "name",
                 server_veth, "netns", server_namespace_});
    ip_batch(router_namespace_, {"addr add " + std::string(kRouterServerSide) + "/24 dev " + router_veth,
                                 "link set " + router_veth + " up"});
    ip_batch(server_namespace_, {"addr add " + server_address() + "/24 dev " + server_veth,
                                 "link set " + server_veth + " up",
                                 "route add default via " + std::string(kRouterServerSide)});
    run_command(in_namespace(router_namespace_, {"sysctl", "-qw", "net.ipv4.ip_forward=1"}));
    for (std::size_t i = 0; i < kPaths; ++i) start_link(i, self);
    std::vector<std::string> rules;
    for (std::size_t i = 0; i < kPaths; ++i)
      rules.push_back("rule add from " + client_address(i) + " table " + std::to_string(route_table(i)));
    ip_batch(client_namespace_, rules);
    for (std::size_t i = 0; i < kPaths; ++i) restore_client_address(i);  // the routes, as after an attach
    device_counters_ = open_in_namespace(client_namespace_, "/proc/thread-self/net/dev");
  } catch (...) {
    remove();
    throw;
  }
  log::tool()->info("two-path testbed: {} (eth0 {}, eth1 {}) -- {} -- {}", client_namespace_, paths_[0].name,
                    paths_[1].name, router_namespace_, server_namespace_);
}

TwoPathTestbed::~TwoPathTestbed() { remove(); }

// The emulator runs in the router's namespace, so that it creates the
// client's eth0 there (the host may have an eth0 of its own) before moving it.
void TwoPathTestbed::start_link(std::size_t i, const fs::path& self) {
  const auto& shape = paths_[i];
  const auto log = log_dir_ / ("link-" + shape.name + ".log");
  const auto one_way = shape.rtt / 2;
  links_[i] = std::make_unique<ChildProcess>(
      in_namespace(router_namespace_,
                   {self.string(), "link", "-v", "--ns-a", client_namespace_, "--addr-a", client_address(i), "--ns-b",
                    router_namespace_, "--addr-b", router_address(i), "--dev-a", client_device(i), "--dev-b",
                    router_device(i), "--delay", milliseconds_text(one_way), "--rate",
                    std::to_string(shape.rate)}),
      ChildStreams{-1, -1, log});
  wait_for_lines(log, "link up: ", 1, *links_[i], 10s);
}

// Links first (their TUN devices vanish with them), then the namespaces,
// which take the veth pair with them.
void TwoPathTestbed::remove() {
  if (device_counters_ >= 0) ::close(device_counters_);
  device_counters_ = -1;
  for (auto& link : links_) {
    if (!link) continue;
    const auto exit = link->stop();
    if (!exit.success()) log::tool()->warn("a link emulator {}", exit.describe());
    link.reset();
  }
  namespaces_.remove();
}

void TwoPathTestbed::ip_batch(const std::string& ns, const std::vector<std::string>& commands) {
  run_ip_batch(ns, commands, log_dir_ / "ip-batch");
}

// Each path's default routes in the main table are flushed and one added
// with its metric: a replace would keep a route of the other metric, and
// routes may or may not survive the loss of the address.
std::vector<std::string> TwoPathTestbed::default_route_commands(std::size_t i) const {
  return {"route flush exact 0.0.0.0/0 dev " + client_device(i) + " table main",
          "route add default dev " + client_device(i) + " metric " + (i == preferred_ ? "100" : "200")};
}

// All flushes first: two default routes of the same metric cannot coexist.
void TwoPathTestbed::prefer_path(std::size_t i) {
  preferred_ = i;
  std::vector<std::string> flushes, additions;
  for (std::size_t k = 0; k < kPaths; ++k) {
    if (!attached_[k]) continue;
    const auto commands = default_route_commands(k);
    flushes.push_back(commands[0]);
    additions.push_back(commands[1]);
  }
  flushes.insert(flushes.end(), additions.begin(), additions.end());
  ip_batch(client_namespace_, flushes);
}

void TwoPathTestbed::remove_client_address(std::size_t i) {
  if (!attached_.at(i)) throw std::logic_error("remove_client_address: path already without its address");
  attached_[i] = false;
  ip_batch(client_namespace_,
           {"addr del " + client_address(i) + " peer " + router_address(i) + " dev " + client_device(i)});
}

// The address with its default routes, as DHCP would set them. The rule
// "from ADDR" stays across a removal; its table's route may not.
void TwoPathTestbed::restore_client_address(std::size_t i) {
  const auto device = client_device(i);
  auto commands = default_route_commands(i);
  commands.insert(commands.begin(), "addr replace " + client_address(i) + " peer " + router_address(i) + " dev " + device);
  commands.push_back("route replace default dev " + device + " table " + std::to_string(route_table(i)));
  ip_batch(client_namespace_, commands);
  attached_[i] = true;
}

std::array<InterfaceBytes, TwoPathTestbed::kPaths> TwoPathTestbed::client_device_bytes() const {
  std::string text(16384, '\0');
  const auto n = ::pread(device_counters_, text.data(), text.size(), 0);
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

}  // namespace msocket::mbench
