// mbench recovery client|server|both: msocket's recovery time after moves
// (the paper's §IV-A, Figs. 7, 8 and 9), with real processes (mcat, mnamed,
// mbench link) in network namespaces this command builds for each case and
// always removes (testbed/moving_address_testbed.hpp). The RTT is made by
// the link emulator between the client and the router.
#include <unistd.h>

#include <charconv>
#include <memory>
#include <optional>

#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/benchmark_options.hpp"
#include "common/output.hpp"
#include "common/progress.hpp"
#include "common/project_tools.hpp"
#include "core/log.hpp"
#include "recovery/recovery_report.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

constexpr const char* kRecoverySynopsis =
    "usage: mbench recovery client|server|both [--rtt LIST] [--moves N] [--connections LIST] [--rho LIST]\n"
    "                       [--watch yes|no|both] [--relay] [--fast-open] [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n";
constexpr const char* kRecoveryNotes =
    "client: one connection by address, the client's address moves (Fig. 7; target 2 RTT).\n"
    "server: clients by name, the server's address moves (Fig. 8; target 2.5 RTT with 100 connections).\n"
    "both:   both ends lose their addresses, then get new ones (Fig. 9; bound rho + q + w + 2 RTT, q + w + 2 RTT\n"
    "        with the watch). The RTT is emulated (mbench link) between the client and the router.\n"
    "--relay (client, server): the server reserves its name on an mproxy in the router and the clients\n"
    "        connect by name, so every flowpath crosses the relay (docs/protocol.md section 5).\n";

using Milliseconds = std::chrono::milliseconds;

struct RecoveryOptions {
  std::string scenario;
  std::vector<Milliseconds> rtts;
  unsigned moves = 1;
  std::vector<unsigned> connections;  // server
  std::vector<Milliseconds> rhos;     // both
  std::vector<bool> watches{true, false};  // both: with the client's watch of the name, without it
  bool relay = false;                 // client, server: through an mproxy in the router
  bool fast_open = false;             // the server's namespace lets listeners take data in SYNs
  std::optional<std::string> mcat_path, mnamed_path, mproxy_path;
  std::optional<fs::path> logs_dir;  // keep the programs' logs here
  OutputOptions output;
};

// Each item a time; a bare number is in `bare_unit` (ms for an RTT, s for rho, as mcat's --retry-interval).
std::vector<Milliseconds> parse_times(const std::string& option, const std::string& text, Milliseconds bare_unit,
                                      Milliseconds least, Milliseconds most) {
  std::vector<Milliseconds> times;
  for (const auto& item : split_nonempty_list(option, text)) {
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
  BenchmarkOptions command_line("mbench recovery: msocket's recovery time after moves, in network namespaces (root)",
                                kRecoverySynopsis, kRecoveryNotes);
  command_line.add()
      ("rtt", po::value<std::string>(), "RTTs of the emulated link, ms (default client 20,50,100,200; server and both 100)")
      ("moves", po::value<std::string>(), "moves per case (default client 10, server 3, both 4; --quick 3, 1, 1)")
      ("connections", po::value<std::string>(), "server: clients connected at once, a list (default 20,50,100; --quick 5)")
      ("rho", po::value<std::string>(), "both: client retry intervals, s, each with and without the watch (default 0.5,1,2; --quick 0.5)")
      ("watch", po::value<std::string>(), "both: run the cases with the client's watch of the name (yes), without (no) or both (default)");
  command_line.add_program("mcat", "measure");
  command_line.add()
      ("relay", "client, server: the connections go through an mproxy in the router")
      ("fast-open", "set net.ipv4.tcp_fastopen=3 in the server's namespace: a MIGRATE rides in its SYN");
  command_line.add_program("mnamed", "run");
  command_line.add_program("mproxy", "run with --relay");
  command_line.add()
      ("logs", po::value<std::string>(), "keep the logs and statistics of every program in DIR/case-N (default: removed)");
  std::string scenario;
  if (!args.empty() && !args.front().starts_with("-")) {
    scenario = args.front();
    args.erase(args.begin());
  }
  const auto parsed = command_line.parse(args);
  if (!parsed) return std::nullopt;
  if (scenario != "client" && scenario != "server" && scenario != "both")
    throw UsageError(scenario.empty() ? "which recovery? give client, server or both"
                                      : "unknown recovery scenario '" + scenario + "' (client, server or both)");
  RecoveryOptions o;
  o.scenario = scenario;
  o.output = parsed->output();
  const bool quick = o.output.quick, client = scenario == "client", server = scenario == "server";
  if (parsed->has("connections") && !server) throw UsageError("--connections is for mbench recovery server");
  if (parsed->has("rho") && scenario != "both") throw UsageError("--rho is for mbench recovery both");
  if (parsed->has("watch") && scenario != "both") throw UsageError("--watch is for mbench recovery both");
  o.relay = parsed->has("relay");
  o.fast_open = parsed->has("fast-open");
  if (o.relay && scenario == "both") throw UsageError("--relay is for mbench recovery client and server");
  if (parsed->has("mproxy") && !o.relay) throw UsageError("--mproxy goes with --relay");
  o.rtts = parse_times("rtt", parsed->text_if("rtt").value_or(client ? quick ? "20,100" : "20,50,100,200" : "100"), 1ms,
                       2ms, 2000ms);
  o.moves = parsed->count_or("moves", 200, client ? quick ? 3 : 10 : server ? quick ? 1 : 3 : quick ? 1 : 4);
  if (server)
    for (const auto& item : split_nonempty_list("connections", parsed->text_if("connections").value_or(quick ? "5" : "20,50,100")))
      o.connections.push_back(parse_count_option("connections", item, 1000));
  if (scenario == "both")
    o.rhos = parse_times("rho", parsed->text_if("rho").value_or(quick ? "0.5" : "0.5,1,2"), 1000ms, 25ms, 60000ms);
  if (const auto watch = parsed->text_if("watch")) {
    if (*watch == "yes") o.watches = {true};
    else if (*watch == "no") o.watches = {false};
    else if (*watch != "both") throw UsageError("--watch wants yes, no or both, got '" + *watch + "'");
  }
  o.mcat_path = parsed->text_if("mcat");
  o.mnamed_path = parsed->text_if("mnamed");
  o.mproxy_path = parsed->text_if("mproxy");
  if (const auto logs = parsed->text_if("logs")) {
    if (logs->empty()) throw UsageError("--logs wants a directory");
    o.logs_dir = *logs;
  }
  return o;
}

// The testbed and what moves, for the charts: "client - router - server,
// RTT 20, 50 ms (mbench link between client and router, no rate limit);
// the client's address is replaced, 10 move(s) per case".
std::string describe_testbed(const RecoveryOptions& o) {
  std::string rtts;
  for (const auto r : o.rtts) rtts += (rtts.empty() ? "" : ", ") + std::to_string(r.count());
  const auto moves = std::to_string(o.moves) + " move(s) per case";
  std::string moved = "the client's address is replaced, " + moves;
  if (o.scenario == "server")
    moved = std::string("the server's address is replaced and it ") +
            (o.relay ? "renews its control channel to the relay, " : "sends RECONNECT, ") + moves;
  if (o.scenario == "both") {
    std::string rhos;
    for (const auto rho : o.rhos)
      rhos += (rhos.empty() ? "" : ", ") + std::to_string(rho.count()) + "/" + std::to_string(server_away(rho).count());
    moved = "both ends lose their addresses; the client's comes back " + std::to_string(kClientAway.count()) +
            " ms later, the server's after another 2 rho + 1 s (rho/ms: " + rhos + "); " + moves;
  }
  const auto relay = std::string(o.relay ? ", through mproxy in the router (clients by name)" : "") +
                     (o.fast_open ? ", TCP Fast Open allowed at the server (net.ipv4.tcp_fastopen=3)" : "");
  return "client - router - server, RTT " + rtts + " ms (mbench link between client and router, no rate limit)" +
         relay + "; " + moved;
}

boost::json::object settings_of(const RecoveryOptions& o) {
  boost::json::array rtts, rhos, connections;
  for (auto r : o.rtts) rtts.push_back(r.count());
  for (auto r : o.rhos) rhos.push_back(r.count());
  for (auto n : o.connections) connections.push_back(n);
  boost::json::object settings{{"scenario", o.scenario}, {"testbed", describe_testbed(o)}, {"rtt_ms", rtts},
                               {"moves", o.moves}, {"quick", o.output.quick}, {"relayed", o.relay},
                               {"fast_open", o.fast_open},
                               {"link", "mbench link (TUN) between the client and the router, RTT/2 each way"},
                               {"traffic", "each client sends 20 KiB/s (10 KiB/s with server), echoed by mcat -c cat"}};
  if (!o.connections.empty()) settings["connections"] = connections;
  if (!o.rhos.empty()) settings["rho_ms"] = rhos;
  return settings;
}

int cases_of(const RecoveryOptions& o) {
  const auto rtts = static_cast<int>(o.rtts.size());
  if (o.scenario == "server") return rtts * static_cast<int>(o.connections.size());
  if (o.scenario == "both") return rtts * static_cast<int>(o.rhos.size() * o.watches.size());
  return rtts;
}

int run_recovery(const RecoveryOptions& o) {
  testbed::catch_interruptions();
  testbed::require_root_and_ip("mbench recovery", "it builds network namespaces and moves addresses (run it as root)");
  const auto emulator = link_emulator_command();
  const auto mcat = find_project_tool("mcat", o.mcat_path);
  const bool names = o.scenario != "client" || o.relay;
  const auto mnamed = names ? find_project_tool("mnamed", o.mnamed_path) : fs::path();
  const auto mproxy = o.relay ? find_project_tool("mproxy", o.mproxy_path) : fs::path();
  Progress progress("recovery " + o.scenario + (o.relay ? " (relayed)" : ""), cases_of(o));
  RecoveryResults results{o.scenario, {}, {}, {}, describe_testbed(o)};
  // Each case on a testbed of its own, with fresh logs: nothing carries over.
  int case_number = 0;
  const auto run_case = [&](Milliseconds rtt, const std::string& what, auto&& measure) {
    progress.step(what + ", RTT " + std::to_string(rtt.count()) + " ms, " + std::to_string(o.moves) + " move(s)");
    const testbed::TemporaryDirectory scratch("mbench-recovery");
    auto logs = scratch.path();
    if (o.logs_dir) {
      logs = *o.logs_dir / ("case-" + std::to_string(++case_number));
      fs::create_directories(logs);
    }
    testbed::MovingAddressTestbed testbed(testbed_names(), rtt, emulator, logs);
    if (o.fast_open)
      testbed::run_command(testbed::in_namespace(testbed.server_namespace(),
                                                 {"sysctl", "-q", "-w", "net.ipv4.tcp_fastopen=3"}));
    measure(testbed, RecoveryPrograms{mcat, mnamed, logs, mproxy, o.logs_dir ? "-vv" : "-v"}, RecoveryCase{rtt, o.moves});
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
      for (const bool watch : o.watches)
        run_case(rtt, std::string("both ends move, rho ") + std::to_string(rho.count()) + " ms, " +
                          (watch ? "with the watch" : "without the watch"),
                 [&](auto& testbed, const auto& programs, const auto& c) {
                   results.both.push_back({rtt, rho, watch, measure_both_moves(testbed, programs, c, rho, watch, progress)});
                 });
  }
  const auto report = build_recovery_report(results, settings_of(o));
  auto outputs = report_outputs(report);
  outputs.command = "recovery";
  outputs.plot = [&](const fs::path& dir) { plot_recovery(results, dir); };  // our own charts, not bars
  write_outputs(outputs, o.output);
  return kExitOk;
}

}  // namespace

int run_recovery_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_recovery, run_recovery);
}

}  // namespace msocket::mbench
