// mbench scale: what idle msocket connections cost, at 1,000 to 10,000 of
// them between one listener and client processes on loopback
// (idle_connections.hpp). Two listeners, each measured alone: mcat -l -k,
// and the library's acceptor (mbench scale-listen, which echoes; its
// clients check every echo). Rows: memory per idle connection end, the
// listener's and the clients' (VmRSS growth over the connections, and
// RssAnon), and the CPU their keepalives cost while idle, per 1,000
// connections. Target: at most 16 KiB per idle connection end in the
// listener (the server a client fleet connects to; the clients' figure is
// reported beside it).
//
// With --server-move, instead: the listener's address moves with the
// connections on it, across the recovery testbed's emulated RTT
// (server_move.hpp); target: every connection migrated within 2.5 RTT of
// the ip command at p90.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/benchmark_options.hpp"
#include "common/output.hpp"
#include "common/plot.hpp"
#include "common/progress.hpp"
#include "common/project_tools.hpp"
#include "scale/idle_connections.hpp"
#include "scale/server_move.hpp"
#include "scale/server_move_report.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"

namespace po = boost::program_options;

namespace msocket::mbench {

namespace {

constexpr const char* kScaleSynopsis =
    "usage: mbench scale [--connections LIST] [--listeners LIST] [--settle TIME] [--cpu-window TIME] [--check]\n"
    "                    [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n"
    "       mbench scale --server-move [--connections LIST] [--rtt TIME] [--moves N] [--fast-open] [--logs DIR]\n"
    "                    [--check] [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n";
constexpr const char* kScaleNotes =
    "On loopback, for each count and listener: the listener (mcat -l -k, or 'acceptor', the\n"
    "library's msocket::acceptor echoing in mbench scale-listen) in a process of its own, and\n"
    "client processes (mbench scale-connect, at most 5000 connections each) that open the\n"
    "connections, send a message on each (the acceptor's clients read it back and compare), and\n"
    "hold them idle. Memory: VmRSS (and RssAnon) growth over the connections, after --settle;\n"
    "CPU: /proc/PID/stat over --cpu-window of idle time (their keepalives), in ms/s per 1000\n"
    "connections. Target: <= 16 KiB of the listener's memory per idle connection.\n"
    "--server-move (root): the acceptor in the server's namespace of the recovery testbed (RTT emulated\n"
    "between the client and the router), one scale-connect process in the client's; the server's address\n"
    "moves --moves times. Each connection: from the ip command to its `migrated` line; after each move\n"
    "every connection echoes once more and must come back exact. Also the CPU per migration of the\n"
    "listener, the client process and the link emulator (/proc). Target: p90 <= 2.5 RTT.\n";
constexpr double kMemoryTarget = 16;  // KiB per idle connection end (DESIGN.md)
constexpr unsigned kMostConnections = 100000;

struct ScaleOptions {
  std::vector<unsigned> connections;
  std::vector<ScaleListener> listeners;
  std::chrono::milliseconds settle{4000}, cpu_window{5000};
  bool check = false;
  bool server_move = false;
  std::chrono::milliseconds rtt{100};  // --server-move
  unsigned moves = 3;                  // --server-move
  bool fast_open = false;              // --server-move
  std::optional<std::filesystem::path> logs_dir;
  std::optional<std::string> mcat_path;
  OutputOptions output;
};

std::vector<unsigned> parse_counts(const std::string& text) {
  std::vector<unsigned> counts;
  for (const auto& item : split_nonempty_list("--connections", text)) {
    unsigned n = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), n);
    const bool thousands = ec == std::errc() && end + 1 == item.data() + item.size() && (*end == 'k' || *end == 'K');
    if (thousands) n *= 1000;
    if (ec != std::errc() || (end != item.data() + item.size() && !thousands) || n == 0 || n > kMostConnections)
      throw UsageError("--connections wants counts from 1 to " + std::to_string(kMostConnections) +
                       " (1000 or 1k), got '" + item + "'");
    counts.push_back(n);
  }
  return counts;
}

std::vector<ScaleListener> parse_listeners(const std::string& text) {
  std::vector<ScaleListener> listeners;
  for (const auto& item : split_nonempty_list("--listeners", text)) {
    if (item == "mcat") listeners.push_back(ScaleListener::mcat);
    else if (item == "acceptor") listeners.push_back(ScaleListener::acceptor);
    else throw UsageError("--listeners wants mcat and/or acceptor, got '" + item + "'");
  }
  return listeners;
}

std::chrono::milliseconds as_milliseconds(Duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d); }

std::optional<ScaleOptions> parse_scale(const std::vector<std::string>& args) {
  BenchmarkOptions command_line("mbench scale: memory and CPU of idle msocket connections, 1,000 to 10,000 of them",
                                kScaleSynopsis, kScaleNotes);
  command_line.add()
      ("connections", po::value<std::string>(), "counts to measure, e.g. 1k,2k (default 1k,2k,5k,10k; --quick 500)")
      ("listeners", po::value<std::string>(), "mcat, acceptor or both (default mcat,acceptor)")
      ("settle", po::value<std::string>(), "idle time before memory is read (default 4s)")
      ("cpu-window", po::value<std::string>(), "idle time over which CPU is measured (default 5s; --quick 2s)")
      ("check", "exit 1 when a target is not met (they are reported either way)")
      ("server-move", "measure a move of the listener with the connections on it (root)")
      ("rtt", po::value<std::string>(), "--server-move: RTT of the emulated link (default 100ms)")
      ("moves", po::value<std::string>(), "--server-move: moves of the listener (default 3; --quick 1)")
      ("fast-open", "--server-move: net.ipv4.tcp_fastopen=3 at the listener: a MIGRATE rides in its SYN")
      ("logs", po::value<std::string>(), "--server-move: keep the processes' logs in DIR");
  command_line.add_program("mcat", "listen with");
  const auto parsed = command_line.parse(args);
  if (!parsed) return std::nullopt;
  ScaleOptions o;
  o.output = parsed->output();
  o.connections = o.output.quick ? std::vector<unsigned>{500} : std::vector<unsigned>{1000, 2000, 5000, 10000};
  if (parsed->has("connections")) o.connections = parse_counts(parsed->text("connections"));
  o.listeners = {ScaleListener::mcat, ScaleListener::acceptor};
  if (parsed->has("listeners")) o.listeners = parse_listeners(parsed->text("listeners"));
  o.settle = as_milliseconds(parsed->time_or("settle", std::chrono::seconds(4)));
  o.cpu_window = as_milliseconds(parsed->time_or("cpu-window", std::chrono::seconds(o.output.quick ? 2 : 5)));
  o.check = parsed->has("check");
  o.server_move = parsed->has("server-move");
  for (const char* name : {"rtt", "moves", "fast-open", "logs"})
    if (parsed->has(name) && !o.server_move) throw UsageError(std::string("--") + name + " goes with --server-move");
  for (const char* name : {"listeners", "settle", "cpu-window"})
    if (parsed->has(name) && o.server_move) throw UsageError(std::string("--") + name + " does not go with --server-move");
  if (o.server_move) {
    o.connections = {o.output.quick ? 200u : 1000u};
    if (parsed->has("connections")) o.connections = parse_counts(parsed->text("connections"));
    o.rtt = as_milliseconds(parsed->time_or("rtt", std::chrono::milliseconds(100)));
    if (o.rtt < std::chrono::milliseconds(2) || o.rtt > std::chrono::seconds(2))
      throw UsageError("--rtt must be from 2ms to 2s");
    o.moves = parsed->count_or("moves", 100, o.output.quick ? 1 : 3);
    o.fast_open = parsed->has("fast-open");
    if (const auto logs = parsed->text_if("logs")) o.logs_dir = *logs;
  }
  o.mcat_path = parsed->text_if("mcat");
  return o;
}

// The rows, targets and samples of one point.
void add_point(Report& report, const IdleConnectionsResult& r, ScaleListener listener) {
  const auto who = to_string(listener);
  const auto key = who + "_" + std::to_string(r.connections);
  const auto at = ", " + std::to_string(r.connections) + " connections";
  const std::string memory_chart = "memory per idle connection end (KiB)";
  const std::string cpu_chart = "CPU while idle (ms/s per 1000 connections)";
  report.add({key + "_listener_memory", who + " listener memory per connection (VmRSS)" + at, "KiB",
              r.listener_kib_per_connection(), std::nullopt, "", memory_chart});
  report.add({key + "_listener_anonymous", who + " listener memory per connection (RssAnon)" + at, "KiB",
              r.listener_anonymous_kib_per_connection(), std::nullopt, "", memory_chart});
  report.add({key + "_client_memory", who + "'s clients, memory per connection (VmRSS)" + at, "KiB",
              r.client_kib_per_connection(), std::nullopt, "", memory_chart});
  report.add({key + "_listener_cpu", who + " listener CPU while idle, per 1000" + at, "ms/s",
              r.listener_cpu_per_thousand(), std::nullopt, "", cpu_chart});
  report.add({key + "_client_cpu", who + "'s clients, CPU while idle, per 1000" + at, "ms/s",
              r.client_cpu_per_thousand(), std::nullopt, "", cpu_chart});
  report.targets.push_back({key + "_listener_memory", who + " listener KiB per idle connection" + at,
                            r.listener_kib_per_connection(), kMemoryTarget, false});
  boost::json::object sample{{"listener", who},
                             {"connections", r.connections},
                             {"client_processes", r.client_processes},
                             {"exact_echoes", r.exact_echoes},
                             {"refusals_retried", r.refusals},
                             {"bytes_received", r.bytes_received},
                             {"listener_vmrss_kib_before", r.listener_before.resident_kib},
                             {"listener_vmrss_kib_after", r.listener_after.resident_kib},
                             {"listener_rssanon_kib_before", r.listener_before.anonymous_kib},
                             {"listener_rssanon_kib_after", r.listener_after.anonymous_kib},
                             {"clients_vmrss_kib_before", r.clients_before.resident_kib},
                             {"clients_vmrss_kib_after", r.clients_after.resident_kib},
                             {"clients_rssanon_kib_before", r.clients_before.anonymous_kib},
                             {"clients_rssanon_kib_after", r.clients_after.anonymous_kib},
                             {"listener_descriptors", r.listener_descriptors},
                             {"connect_seconds", r.connect_seconds},
                             {"cpu_window_seconds", r.cpu_window_seconds},
                             {"listener_cpu_seconds", r.listener_cpu_seconds},
                             {"clients_cpu_seconds", r.clients_cpu_seconds}};
  report.samples["points"].as_array().push_back(std::move(sample));
}

void check_point(const IdleConnectionsResult& r, ScaleListener listener, std::size_t message_size) {
  if (listener == ScaleListener::acceptor && r.exact_echoes != r.connections)
    throw std::runtime_error(std::to_string(r.connections - r.exact_echoes) + " connections had no exact echo");
  if (listener == ScaleListener::mcat && r.bytes_received != std::uint64_t{r.connections} * message_size)
    throw std::runtime_error("mcat received " + std::to_string(r.bytes_received) + " bytes, not " +
                             std::to_string(std::uint64_t{r.connections} * message_size));
}

// The first number of /proc/loadavg (the machine is shared: recovery times
// in milliseconds depend on it).
double load_average() {
  double one_minute = -1;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &one_minute) != 1) one_minute = -1;
    std::fclose(f);
  }
  return one_minute;
}

int run_server_moves(const ScaleOptions& o) {
  testbed::catch_interruptions();
  testbed::require_root_and_ip("mbench scale --server-move", "it builds network namespaces and moves addresses");
  const testbed::TemporaryDirectory scratch("mbench-scale");
  Progress progress("scale --server-move", static_cast<int>(o.connections.size()));
  Report report{"scale", "msocket", "", {}, {}, {}, {}, {}, {}, {}};
  boost::json::array counts;
  for (auto n : o.connections) counts.push_back(n);
  const double load_before = load_average();
  report.settings = {{"mode", "server-move"}, {"connections", counts}, {"rtt_ms", o.rtt.count()}, {"moves", o.moves},
                     {"fast_open", o.fast_open}, {"quick", o.output.quick}, {"load_average_start", load_before}};
  report.samples["server_moves"] = boost::json::array{};
  report.testbed = "client - router - server, RTT " + std::to_string(o.rtt.count()) +
                   " ms (mbench link between client and router); the listener's address moves";
  ServerMovePlan plan;
  plan.mbench = self_path();
  plan.rtt = o.rtt;
  plan.moves = o.moves;
  plan.fast_open = o.fast_open;
  for (auto n : o.connections) {
    plan.connections = n;
    plan.logs = o.logs_dir ? *o.logs_dir / ("n" + std::to_string(n)) : scratch.path() / ("n" + std::to_string(n));
    std::filesystem::create_directories(plan.logs);
    add_server_move_rows(report, measure_server_move(plan, progress));
  }
  const double load_after = load_average();
  report.settings["load_average_end"] = load_after;
  report.notes.push_back("from the ip command that moves the listener to each client connection's `migrated` line; "
                         "every connection echoed exactly after each move");
  char load[96];
  std::snprintf(load, sizeof load, "1-minute load average %.2f at the start, %.2f at the end", load_before, load_after);
  report.notes.push_back(load);
  // Charts of their own: scale.{png,svg} are the idle connections'.
  auto outputs = report_outputs(report);
  outputs.chart = "scale-server-move";
  outputs.plot = [&report, &outputs](const std::filesystem::path& dir) { plot_report(report, dir, outputs.chart); };
  write_outputs(outputs, o.output);
  if (o.check && !report.targets_met()) {
    std::fprintf(stderr, "mbench scale: --check: a target is not met (see the table)\n");
    return kExitRuntime;
  }
  return kExitOk;
}

int run_scale(const ScaleOptions& o) {
  if (o.server_move) return run_server_moves(o);
  testbed::catch_interruptions();
  const testbed::TemporaryDirectory scratch("mbench-scale");
  Progress progress("scale", static_cast<int>(2 * o.connections.size() * o.listeners.size()));
  Report report{"scale", "msocket", "", {}, {}, {}, {}, {}, {}, {}};
  boost::json::array counts, listeners;
  for (auto n : o.connections) counts.push_back(n);
  for (auto l : o.listeners) listeners.push_back(boost::json::string(to_string(l)));
  report.settings = {{"connections", counts}, {"listeners", listeners}, {"quick", o.output.quick},
                     {"settle_seconds", o.settle.count() / 1000.0}, {"cpu_window_seconds", o.cpu_window.count() / 1000.0},
                     {"path", "loopback"}};
  report.samples["points"] = boost::json::array{};
  report.testbed = "loopback; idle connections between one listener and client processes";
  IdleConnectionsPlan plan;
  plan.mcat = find_project_tool("mcat", o.mcat_path);
  plan.mbench = self_path();
  plan.scratch = scratch.path();
  plan.settle = o.settle;
  plan.cpu_window = o.cpu_window;
  for (auto n : o.connections) {
    for (auto listener : o.listeners) {
      plan.listener = listener;
      plan.connections = n;
      const auto r = measure_idle_connections(plan, progress);
      check_point(r, listener, plan.message_size);
      add_point(report, r, listener);
    }
  }
  report.notes.push_back("memory: VmRSS (RssAnon) of each process after " + std::to_string(o.settle.count()) +
                         " ms idle, less before the connections, over the connections; the kernel's socket memory is "
                         "not in it");
  report.notes.push_back("CPU: /proc/PID/stat over " + std::to_string(o.cpu_window.count()) +
                         " ms idle, in clock ticks; it depends on the machine's load, memory does not");
  report.notes.push_back("acceptor: every connection's message came back exact; mcat: it wrote every byte sent");
  write_outputs(report, o.output);
  if (o.check && !report.targets_met()) {
    std::fprintf(stderr, "mbench scale: --check: a target is not met (see the table)\n");
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace

int run_scale_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_scale, run_scale);
}

}  // namespace msocket::mbench
