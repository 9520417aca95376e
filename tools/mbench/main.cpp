// mbench: the testbed's link emulator and msocket's benchmarks.
//   mbench link ...         the user-space link emulator (lib/testbed/tun_link.hpp)
//   mbench names ...        the name service: lookup latency, lookups/s, updates/s, watch latency
//   mbench throughput ...   one path, msocket (mcat, encrypted and not) against plain TCP (socat)
//   mbench proxy ...        one path through a relay (mproxy) against a direct one
//   mbench handshake ...    new connections per second and their latency, signed and not
//   mbench recovery ...     recovery time after moves of the client, the server or both
//   mbench multipath ...    download time over two paths, msocket against kernel MPTCP
//   mbench handover ...     a download that loses a path, msocket against kernel MPTCP
// (mptcp-serve and mptcp-fetch, the ends of the MPTCP rival, are left out of the usage.)
//   mbench energy ...       energy per download, WiFi only, LTE only and both
//   mbench scale ...        memory and CPU of 1,000 to 10,000 idle connections
// (scale-listen and scale-connect, its two ends, are left out of the usage.)
// Each subcommand parses its options into a struct, checks them, runs (the
// nc shape); this file only dispatches and turns errors into exit statuses.
#include <csignal>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include <boost/program_options/errors.hpp>

#include "commands.hpp"
#include "common/command_line.hpp"
#include "testbed/interruption.hpp"

namespace mbench = msocket::mbench;

namespace {

constexpr const char* kUsage =
    "usage: mbench link --ns-a NS --addr-a ADDR --ns-b NS --addr-b ADDR [options]\n"
    "       mbench names [--server URL] [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n"
    "       mbench throughput [--netns [--rate RATE]] [--size SIZE] [--check] [--quick] [--json FILE]\n"
    "                         [--csv FILE] [--plot DIR] [options]\n"
    "       mbench proxy [--size SIZE] [--runs N] [--check] [--quick] [--json FILE] [--csv FILE] [--plot DIR]\n"
    "                    [options]\n"
    "       mbench handshake [--connections N] [--concurrency N] [--rounds N] [--quick] [--json FILE]\n"
    "                        [--csv FILE] [--plot DIR] [options]\n"
    "       mbench recovery client|server|both [--rtt LIST] [--quick] [--json FILE] [--csv FILE] [--plot DIR]\n"
    "                       [options]\n"
    "       mbench multipath [--sizes LIST] [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n"
    "       mbench handover [--size SIZE] [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n"
    "       mbench energy [--sizes LIST] [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n"
    "       mbench energy --power-trace FILE... [--json FILE] [--csv FILE] [--plot DIR]\n"
    "       mbench scale [--connections LIST] [--listeners LIST] [--quick] [--json FILE] [--csv FILE]\n"
    "                    [--plot DIR] [options]\n"
    "       mbench --help | mbench SUBCOMMAND --help | mbench --version\n"
    "Exit status: 0 success, 1 runtime error, 2 usage error, 130 interrupted.\n";

using Command = int (*)(const std::vector<std::string>&, int);

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table{
      {"link", mbench::run_link_command},
      {"names", mbench::run_names_command},
      {"throughput", mbench::run_throughput_command},
      {"proxy", mbench::run_proxy_command},
      {"handshake", mbench::run_handshake_command},
      {"recovery", mbench::run_recovery_command},
      {"multipath", mbench::run_multipath_command},
      {"handover", mbench::run_handover_command},
      {"mptcp-serve", mbench::run_mptcp_serve_command},
      {"mptcp-fetch", mbench::run_mptcp_fetch_command},
      {"energy", mbench::run_energy_command},
      {"scale", mbench::run_scale_command},
      {"scale-listen", mbench::run_scale_listen_command},
      {"scale-connect", mbench::run_scale_connect_command},
  };
  return table;
}

}  // namespace

int main(int argc, char** argv) {
  // A benchmark writes into pipes whose reader may die: that is an error to
  // report (EPIPE), not a reason to vanish.
  std::signal(SIGPIPE, SIG_IGN);
  // -v, -vv: counted here, as mcat does (Program_options has no counting flag).
  int verbosity = 0;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.size() >= 2 && a[0] == '-' && a[1] == 'v' && a.find_first_not_of('v', 1) == std::string::npos) {
      verbosity += static_cast<int>(a.size() - 1);
    } else if (a == "--verbose") {
      ++verbosity;
    } else {
      args.push_back(a);
    }
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    std::fprintf(args.empty() ? stderr : stdout, "%s", kUsage);
    return args.empty() ? mbench::kExitUsage : mbench::kExitOk;
  }
  if (args[0] == "--version") {
    std::printf("mbench (msocket) %s\n", MSOCKET_VERSION);
    return mbench::kExitOk;
  }
  const std::string name = args[0];
  args.erase(args.begin());
  const auto command = commands().find(name);
  if (command == commands().end()) {
    std::fprintf(stderr, "mbench: unknown subcommand '%s'\n%s", name.c_str(), kUsage);
    return mbench::kExitUsage;
  }
  try {
    return command->second(args, verbosity);
  } catch (const mbench::UsageError& e) {
    std::fprintf(stderr, "mbench %s: %s\n%s", name.c_str(), e.what(), kUsage);
    return mbench::kExitUsage;
  } catch (const boost::program_options::error& e) {
    std::fprintf(stderr, "mbench %s: %s\n%s", name.c_str(), e.what(), kUsage);
    return mbench::kExitUsage;
  } catch (const msocket::testbed::Interrupted&) {
    std::fprintf(stderr, "mbench %s: interrupted; what it had set up is removed\n", name.c_str());
    return mbench::kExitInterrupted;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mbench %s: %s\n", name.c_str(), e.what());
    return mbench::kExitRuntime;
  }
}
