// mbench recovery client|server|both: msocket's recovery time after moves
// (the paper's §IV-A, Figs. 7, 8 and 9), with real processes (mcat, mnamed,
// mbench link) in network namespaces this command builds for each case and
// always removes (recovery_testbed.hpp). The RTT is made by the link
// emulator between the client and the router.
#include <unistd.h>

#include <charconv>
#include <memory>
#include <optional>

#include <boost/program_options.hpp>

#include "child_process.hpp"
#include "command_line.hpp"
#include "commands.hpp"
#include "interruption.hpp"
#include "core/log.hpp"
#include "output.hpp"
#include "progress.hpp"
#include "recovery_report.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

constexpr const char* kRecoverySynopsis =
    "usage: mbench recovery client|server|both [--rtt LIST] [--moves N] [--connections LIST] [--rho LIST]\n"
    "                       [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n";

using Milliseconds = std::chrono::milliseconds;

struct RecoveryOptions {
  std::string scenario;
  std::vector<Milliseconds> rtts;
  unsigned moves = 1;
  std::vector<unsigned> connections;  // server
  std::vector<Milliseconds> rhos;     // both
  std::optional<std::string> mcat_path, mnamed_path;
  std::optional<fs::path> logs_dir;  // keep the programs' logs here
  OutputOptions output;
};

std::vector<std::string> split_list(const std::string& option, const std::string& text) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto end = std::min(text.find(',', start), text.size());
    items.push_back(text.substr(start, end - start));
    if (items.back().empty()) throw UsageError("--" + option + " wants a comma-separated list, got '" + text + "'");
    start = end + 1;
  }
  return items;
}

// Each item a time; a bare number is in `bare_unit` (ms for an RTT, s for rho, as mcat's --retry-interval).
std::vector<Milliseconds> parse_times(const std::string& option, const std::string& text, Milliseconds bare_unit,
                                      Milliseconds least, Milliseconds most) {
  std::vector<Milliseconds> times;
  for (const auto& item : split_list(option, text)) {
    double number = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), number);
    const auto time = ec == std::errc() && end == item.data() + item.size()
                          ? Milliseconds(static_cast<long>(number * static_cast<double>(bare_unit.count())))
                          : std::chrono::duration_cast<Milliseconds>(parse_time_option(option, item));
    if (time < least || time > most)
      throw UsageError("--" + option + " values must be from " + std::to_string(least.count()) + " ms to " +
                       std::to_string(most.count()) + " ms, got '" + item + "'");
    times.push_back(time);
  }
  return times;
}

std::optional<RecoveryOptions> parse_recovery(std::vector<std::string> args) {
  po::options_description visible("mbench recovery: msocket's recovery time after moves, in network namespaces (root)");
  visible.add_options()
      ("help,h", "show this help and exit")
      ("rtt", po::value<std::string>(), "RTTs of the emulated link, ms (default client 20,50,100,200; server and both 100)")
      ("moves", po::value<std::string>(), "moves per case (default client 10, server 3, both 4; --quick 3, 1, 1)")
      ("connections", po::value<std::string>(), "server: clients connected at once, a list (default 20,50,100; --quick 5)")
      ("rho", po::value<std::string>(), "both: client retry intervals, s, each with and without the watch (default 0.5,1,2; --quick 0.5)")
      ("mcat", po::value<std::string>(), "the mcat to measure (default: the one next to mbench)")
      ("mnamed", po::value<std::string>(), "the mnamed to run (default: the one next to mbench)")
      ("logs", po::value<std::string>(), "keep the logs and statistics of every program in DIR/case-N (default: removed)");
  add_output_options(visible);
  visible.add_options()("verbose,v", "more log output on stderr (-vv for more)");
  std::string scenario;
  if (!args.empty() && !args.front().starts_with("-")) {
    scenario = args.front();
    args.erase(args.begin());
  }
  const auto parsed = parse_or_print_help(
      args, visible, kRecoverySynopsis,
      "client: one connection by address, the client's address moves (Fig. 7; target 2 RTT).\n"
      "server: clients by name, the server's address moves (Fig. 8; target 2.5 RTT with 100 connections).\n"
      "both:   both ends lose their addresses, then get new ones (Fig. 9; bound rho + q + w + 2 RTT, q + w + 2 RTT\n"
      "        with the watch). The RTT is emulated (mbench link) between the client and the router.\n"
      "Exit status: 0 success, 1 runtime error, 2 usage error, 130 interrupted.\n");
  if (!parsed) return std::nullopt;
  const auto& vm = *parsed;
  if (scenario != "client" && scenario != "server" && scenario != "both")
    throw UsageError(scenario.empty() ? "which recovery? give client, server or both"
                                      : "unknown recovery scenario '" + scenario + "' (client, server or both)");
  RecoveryOptions o;
  o.scenario = scenario;
  o.output = read_output_options(vm);
  const bool quick = o.output.quick, client = scenario == "client", server = scenario == "server";
  const auto text = [&](const char* name) { return vm[name].as<std::string>(); };
  if (vm.count("connections") && !server) throw UsageError("--connections is for mbench recovery server");
  if (vm.count("rho") && scenario != "both") throw UsageError("--rho is for mbench recovery both");
  o.rtts = parse_times("rtt", vm.count("rtt") ? text("rtt") : client ? quick ? "20,100" : "20,50,100,200" : "100", 1ms,
                       2ms, 2000ms);
  o.moves = vm.count("moves") ? parse_count_option("moves", text("moves"), 200)
            : client          ? quick ? 3 : 10
            : server          ? quick ? 1 : 3
                              : quick ? 1 : 4;
  if (server)
    for (const auto& item : split_list("connections", vm.count("connections") ? text("connections") : quick ? "5" : "20,50,100"))
      o.connections.push_back(parse_count_option("connections", item, 1000));
  if (scenario == "both")
    o.rhos = parse_times("rho", vm.count("rho") ? text("rho") : quick ? "0.5" : "0.5,1,2", 1000ms, 25ms, 60000ms);
  if (vm.count("mcat")) o.mcat_path = text("mcat");
  if (vm.count("mnamed")) o.mnamed_path = text("mnamed");
  if (vm.count("logs")) {
    if (text("logs").empty()) throw UsageError("--logs wants a directory");
    o.logs_dir = text("logs");
  }
  return o;
}

boost::json::object settings_of(const RecoveryOptions& o) {
  boost::json::array rtts, rhos, connections;
  for (auto r : o.rtts) rtts.push_back(r.count());
  for (auto r : o.rhos) rhos.push_back(r.count());
  for (auto n : o.connections) connections.push_back(n);
  boost::json::object settings{{"scenario", o.scenario}, {"rtt_ms", rtts}, {"moves", o.moves}, {"quick", o.output.quick},
                               {"link", "mbench link (TUN) between the client and the router, RTT/2 each way"},
                               {"traffic", "each client sends 20 KiB/s (10 KiB/s with server), echoed by mcat -c cat"}};
  if (!o.connections.empty()) settings["connections"] = connections;
  if (!o.rhos.empty()) settings["rho_ms"] = rhos;
  return settings;
}

int cases_of(const RecoveryOptions& o) {
  const auto rtts = static_cast<int>(o.rtts.size());
  if (o.scenario == "server") return rtts * static_cast<int>(o.connections.size());
  if (o.scenario == "both") return rtts * static_cast<int>(o.rhos.size()) * 2;
  return rtts;
}

int run_recovery(const RecoveryOptions& o) {
  catch_interruptions();
  if (::geteuid() != 0)
    throw std::runtime_error("mbench recovery needs root: it builds network namespaces and moves addresses "
                             "(run it as root)");
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find mbench itself (/proc/self/exe): " + ec.message());
  const auto mcat = find_project_tool("mcat", o.mcat_path);
  const auto mnamed = o.scenario == "client" ? fs::path() : find_project_tool("mnamed", o.mnamed_path);
  Progress progress("recovery " + o.scenario, cases_of(o));
  RecoveryResults results{o.scenario, {}, {}, {}};
  // Each case on a testbed of its own, with fresh logs: nothing carries over.
  int case_number = 0;
  const auto run_case = [&](Milliseconds rtt, const std::string& what, auto&& measure) {
    progress.step(what + ", RTT " + std::to_string(rtt.count()) + " ms, " + std::to_string(o.moves) + " move(s)");
    const TemporaryDirectory scratch("mbench-recovery");
    auto logs = scratch.path();
    if (o.logs_dir) {
      logs = *o.logs_dir / ("case-" + std::to_string(++case_number));
      fs::create_directories(logs);
    }
    RecoveryTestbed testbed(rtt, self, logs);
    measure(testbed, RecoveryPrograms{mcat, mnamed, logs}, RecoveryCase{rtt, o.moves});
  };
  for (const auto rtt : o.rtts) {
    if (o.scenario == "client")
      run_case(rtt, "client moves", [&](auto& testbed, const auto& programs, const auto& c) {
        results.client.push_back({rtt, measure_client_moves(testbed, programs, c, progress)});
      });
    for (const auto n : o.connections)
      run_case(rtt, "server moves with " + std::to_string(n) + " connections", [&](auto& testbed, const auto& programs,
                                                                                   const auto& c) {
        results.server.push_back({rtt, n, measure_server_moves(testbed, programs, c, n, progress)});
      });
    for (const auto rho : o.rhos)
      for (const bool watch : {true, false})
        run_case(rtt, std::string("both ends move, rho ") + std::to_string(rho.count()) + " ms, " +
                          (watch ? "with the watch" : "without the watch"),
                 [&](auto& testbed, const auto& programs, const auto& c) {
                   results.both.push_back({rtt, rho, watch, measure_both_moves(testbed, programs, c, rho, watch, progress)});
                 });
  }
  auto output = o.output;
  const auto plot_dir = std::exchange(output.plot_dir, std::nullopt);  // our own charts, not bars
  write_outputs(build_recovery_report(results, settings_of(o)), output);
  if (plot_dir) {
    plot_recovery(results, *plot_dir);
    std::fprintf(stderr, "mbench recovery: charts in %s/recovery-%s.{png,svg}\n", plot_dir->c_str(), o.scenario.c_str());
  }
  return kExitOk;
}

}  // namespace

int run_recovery_command(const std::vector<std::string>& args, int verbosity) {
  const auto options = parse_recovery(args);
  if (!options) return kExitOk;  // --help
  log::set_verbosity(verbosity);
  return run_recovery(*options);
}

}  // namespace msocket::mbench
