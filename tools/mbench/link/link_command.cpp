// mbench link: joins two network namespaces with the user-space link
// emulator (lib/testbed/tun_link.hpp) until SIGINT or SIGTERM.
#include "commands.hpp"

#include <sched.h>

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/program_options.hpp>

#include "common/command_line.hpp"
#include "core/log.hpp"
#include "relay/duration.hpp"
#include "testbed/tun_link.hpp"

namespace msocket::mbench {

namespace po = boost::program_options;
namespace {

constexpr const char* kLinkSynopsis = "usage: mbench link --ns-a NS --addr-a ADDR --ns-b NS --addr-b ADDR [options]\n";

struct LinkOptions {
  testbed::TunLinkConfig link;
  bool realtime = true;
};

testbed::Duration time_option(const po::variables_map& vm, const std::string& name) {
  const auto text = vm[name].as<std::string>();
  const auto d = msocket::relay::parse_duration(text);
  if (!d) throw UsageError("invalid time for --" + name + ": '" + text + "' (use e.g. 40ms, 1.5s)");
  return *d;
}

testbed::BitsPerSecond rate_option(const po::variables_map& vm, const std::string& name) {
  return parse_rate_option(name, vm[name].as<std::string>(), true, "e.g. 20mbit, 500kbit, 0 = unlimited");
}

double loss_option(const po::variables_map& vm, const std::string& name) {
  const double p = vm[name].as<double>();
  if (!(p >= 0 && p <= 1)) throw UsageError("--" + name + " must be a probability from 0 to 1");
  return p;
}

std::string address_option(const po::variables_map& vm, const std::string& name) {
  const auto text = vm[name].as<std::string>();
  boost::system::error_code ec;
  boost::asio::ip::make_address_v4(text, ec);
  if (ec) throw UsageError("--" + name + " wants an IPv4 address, got '" + text + "'");
  return text;
}

// Reads one direction: --NAME, and --NAME-back for B to A (default: the same).
template <class T, class Read>
std::pair<T, T> both_ways(const po::variables_map& vm, const std::string& name, Read read) {
  const T there = read(vm, name);
  const T back = vm.count(name + "-back") ? read(vm, name + "-back") : there;
  return {there, back};
}

// nullopt after printing --help.
std::optional<LinkOptions> parse_link(const std::vector<std::string>& args) {
  po::options_description visible("mbench link: two namespaces joined by an emulated link");
  visible.add_options()
      ("help,h", "show this help and exit")
      ("ns-a", po::value<std::string>()->required(), "namespace of end A")
      ("addr-a", po::value<std::string>()->required(), "IPv4 address of end A")
      ("ns-b", po::value<std::string>()->required(), "namespace of end B")
      ("addr-b", po::value<std::string>()->required(), "IPv4 address of end B")
      ("dev-a", po::value<std::string>(), "TUN device name in A (default mb<pid>a)")
      ("dev-b", po::value<std::string>(), "TUN device name in B (default mb<pid>b)")
      ("delay", po::value<std::string>()->default_value("0ms"), "one-way delay A to B (e.g. 20ms)")
      ("delay-back", po::value<std::string>(), "one-way delay B to A (default: --delay)")
      ("rate", po::value<std::string>()->default_value("0"), "rate A to B (e.g. 20mbit; 0 = unlimited)")
      ("rate-back", po::value<std::string>(), "rate B to A (default: --rate)")
      ("loss", po::value<double>()->default_value(0), "loss probability A to B (0 to 1)")
      ("loss-back", po::value<double>(), "loss probability B to A (default: --loss)")
      ("queue", po::value<std::string>(), "queue limit in bytes, each way (default: 100 ms at the rate, at least 64 KiB)")
      ("seed", po::value<std::uint64_t>()->default_value(1), "seed of the loss generator (B to A uses SEED+1)")
      ("mtu", po::value<unsigned>()->default_value(1500), "MTU of both devices")
      ("no-realtime", "stay in the normal scheduling class (default: SCHED_FIFO, see below)")
      ("verbose,v", "more log output (-vv, -vvv for more)");
  const auto parsed = parse_or_print_help(args, visible, kLinkSynopsis,
                                          "Prints 'link up: ...' on stderr when ready; runs until SIGINT or SIGTERM.\n"
                                          "Forwards under SCHED_FIFO when allowed: on a busy machine a normal process\n"
                                          "wakes milliseconds late, which would add to every delay.\n"
                                          "Exit status: 0 stopped by a signal, 1 runtime error, 2 usage error.\n");
  if (!parsed) return std::nullopt;
  const auto& vm = *parsed;

  LinkOptions o;
  o.realtime = vm.count("no-realtime") == 0;
  auto& link = o.link;
  link.a = {vm["ns-a"].as<std::string>(), address_option(vm, "addr-a"),
            vm.count("dev-a") ? vm["dev-a"].as<std::string>() : testbed::default_device_name('a')};
  link.b = {vm["ns-b"].as<std::string>(), address_option(vm, "addr-b"),
            vm.count("dev-b") ? vm["dev-b"].as<std::string>() : testbed::default_device_name('b')};
  std::tie(link.a_to_b.delay, link.b_to_a.delay) = both_ways<testbed::Duration>(vm, "delay", time_option);
  std::tie(link.a_to_b.rate, link.b_to_a.rate) = both_ways<testbed::BitsPerSecond>(vm, "rate", rate_option);
  std::tie(link.a_to_b.loss, link.b_to_a.loss) = both_ways<double>(vm, "loss", loss_option);
  link.mtu = vm["mtu"].as<unsigned>();
  if (link.mtu < 576 || link.mtu > 65535) throw UsageError("--mtu must be from 576 to 65535");
  if (vm.count("queue")) {
    const auto text = vm["queue"].as<std::string>();
    std::size_t queue = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), queue);
    if (ec != std::errc() || end != text.data() + text.size() || queue < link.mtu)
      throw UsageError("--queue wants a number of bytes, at least the MTU (" + std::to_string(link.mtu) + "), got '" + text + "'");
    link.a_to_b.queue_bytes = link.b_to_a.queue_bytes = queue;
  }
  link.a_to_b.seed = vm["seed"].as<std::uint64_t>();
  link.b_to_a.seed = link.a_to_b.seed + 1;

  if (link.a.address == link.b.address) throw UsageError("--addr-a and --addr-b must differ");
  if (link.a.netns == link.b.netns) throw UsageError("--ns-a and --ns-b must differ");
  for (const auto* end : {&link.a, &link.b})
    if (end->device.empty() || end->device.size() > 15) throw UsageError("device name '" + end->device + "' must have 1 to 15 characters");
  if (link.a.device == link.b.device) throw UsageError("--dev-a and --dev-b must differ");
  return o;
}

std::string format_time(testbed::Duration d) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(d).count();
  if (us % 1000 == 0) return std::to_string(us / 1000) + "ms";
  return std::to_string(us) + "us";
}

// "X" when both ways agree, else "X/Y" (A to B, then B to A).
std::string pair_text(const std::string& there, const std::string& back) {
  return there == back ? there : there + "/" + back;
}

std::string loss_text(double p) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", p);
  return text;
}

void log_counters(const char* name, const testbed::LinkModel& model) {
  const auto& c = model.counters();
  msocket::log::tool()->info("{}: packets={} bytes={} lost={} overflowed={}", name, c.packets, c.bytes, c.lost,
                             c.overflowed);
}

// Real-time priority for the forwarding loop: under CPU load, a normal
// process waits for the scheduler before it reads or writes a packet, and
// that wait adds to the emulated delay (40 ms became 53 ms with three busy
// loops on two cores). SCHED_FIFO keeps it within a fraction of a millisecond.
// The kernel's RT throttling still leaves other tasks 5% of the CPU.
void enter_realtime() {
  sched_param param{};
  param.sched_priority = 10;
  if (::sched_setscheduler(0, SCHED_FIFO, &param) != 0)
    msocket::log::tool()->warn("cannot use SCHED_FIFO ({}): delays will grow with CPU load", std::strerror(errno));
}

int run_link(const LinkOptions& o) {
  boost::asio::io_context context;
  testbed::TunLink link(context.get_executor(), o.link);
  if (o.realtime) enter_realtime();  // after set-up, so that ip(8) does not inherit it
  const auto& c = o.link;
  std::fprintf(stderr, "link up: %s %s <-> %s %s delay=%s rate=%s loss=%s queue=%zu\n", c.a.netns.c_str(),
               c.a.address.c_str(), c.b.netns.c_str(), c.b.address.c_str(),
               pair_text(format_time(c.a_to_b.delay), format_time(c.b_to_a.delay)).c_str(),
               pair_text(testbed::format_rate(c.a_to_b.rate), testbed::format_rate(c.b_to_a.rate)).c_str(),
               pair_text(loss_text(c.a_to_b.loss), loss_text(c.b_to_a.loss)).c_str(), link.a_to_b().queue_limit());

  boost::asio::signal_set signals(context, SIGINT, SIGTERM);
  bool stopped_by_signal = false;
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    stopped_by_signal = true;
    link.stop();
  });
  boost::asio::co_spawn(context, link.run(), [&](std::exception_ptr e) {
    signals.cancel();
    if (e) std::rethrow_exception(e);
  });
  context.run();
  log_counters("a->b", link.a_to_b());
  log_counters("b->a", link.b_to_a());
  if (stopped_by_signal) return kExitOk;
  std::fprintf(stderr, "mbench: forwarding stopped on an I/O error (logged above)\n");
  return kExitRuntime;
}

}  // namespace

int run_link_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_link, run_link);
}

}  // namespace msocket::mbench
