// mbench names: measures the name service (mnamed) on loopback. Starts its
// own `mnamed serve` on 127.0.0.1 with a fresh data directory (or uses
// --server), measures with lib/names' Client (names_measure.hpp), and
// reports each figure next to a baseline from the same run: a lookup of an
// unknown name (an HTTP round trip that does no work) for lookups, the
// disk's fdatasync rate for updates.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <memory>
#include <optional>

#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/benchmark_options.hpp"
#include "common/output.hpp"
#include "common/project_tools.hpp"
#include "core/log.hpp"
#include "names/disk_sync_rate.hpp"
#include "names/names_etcd.hpp"
#include "names/names_measure.hpp"
#include "testbed/child_process.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace msocket::mbench {

namespace {

constexpr const char* kNamesSynopsis =
    "usage: mbench names [--server URL | --etcd] [--quick] [--json FILE] [--csv FILE] [--plot DIR] [options]\n";
constexpr const char* kNamesNotes =
    "Prints a table on stdout and its steps on stderr. Updates are signed PUTs that\n"
    "the server makes durable (fdatasync) before it answers. Baselines, same run:\n"
    "a lookup of an unknown name (404) and an append with fdatasync in the data directory.\n"
    "Group commit: --writers writers at once share the server's fdatasyncs, so their updates/s\n"
    "exceed the disk's fdatasync rate (the ratio); lookups are timed meanwhile. The mnamed started\n"
    "here runs without its per-address and per-key limits (it is measured, not protected), and\n"
    "with its DNS face (--dns), whose A queries are timed against the HTTP lookups (the baseline).\n"
    "--etcd: instead, the etcd store (1 and 3 members, 1 and 2 front ends) against the log store,\n"
    "each started here on loopback; needs Debian's etcd-server (--etcd-program).\n";
constexpr int kSteps = 7;      // without DNS
constexpr const char* kDnsZone = "mbench.test";

struct NamesOptions {
  std::optional<std::string> server_url;   // measure this server instead of starting one
  bool compare_etcd = false;               // --etcd: the store comparison instead
  std::string etcd_program = "/usr/bin/etcd";
  std::optional<std::string> mnamed_path;  // the mnamed to start
  std::optional<std::string> data_dir;     // its data directory (default: a temporary one)
  std::optional<std::string> dns;          // with --server: its DNS face, ADDR:PORT
  NamesWorkload workload;
  OutputOptions output;
};

std::optional<NamesOptions> parse_names(const std::vector<std::string>& args) {
  BenchmarkOptions command_line("mbench names: the name service's latency and rates on loopback",
                                kNamesSynopsis, kNamesNotes);
  command_line.add()
      ("server", po::value<std::string>(), "measure the mnamed at http://HOST:PORT instead of starting one")
      ("dns", po::value<std::string>(), "with --server: its DNS face at IP:PORT, zone --zone (default: DNS not measured)")
      ("zone", po::value<std::string>(), "with --dns: the zone of its DNS face (default mbench.test)");
  command_line.add_program("mnamed", "start");
  command_line.add()
      ("data-dir", po::value<std::string>(), "data directory of the started mnamed (default: a new temporary one)")
      ("lookups", po::value<std::string>(), "sequential lookups timed for the latency percentiles (default 2000; --quick 200)")
      ("clients", po::value<std::string>(), "clients at once for the rates, one connection each (default 8; --quick 4)")
      ("duration", po::value<std::string>(), "length of each rate measurement (default 2s; --quick 300ms)")
      ("watches", po::value<std::string>(), "updates whose watch notification is timed (default 200; --quick 20)")
      ("writers", po::value<std::string>(), "writers at once for the group commit, one name each (default 64; --quick 16)")
      ("etcd", "compare the etcd store with the log store (names_etcd.hpp) instead")
      ("etcd-program", po::value<std::string>(), "the etcd to start with --etcd (default /usr/bin/etcd)");
  const auto parsed = command_line.parse(args);
  if (!parsed) return std::nullopt;
  NamesOptions o;
  o.output = parsed->output();
  const bool quick = o.output.quick;
  auto& w = o.workload;
  w.lookups = parsed->count_or("lookups", 10'000'000, quick ? 200 : 2000);
  w.clients = parsed->count_or("clients", 1000, quick ? 4 : 8);
  w.watches = parsed->count_or("watches", 1'000'000, quick ? 20 : 200);
  w.writers = parsed->count_or("writers", 1000, quick ? 16 : 64);
  w.phase_time = parsed->time_or("duration", quick ? Duration(std::chrono::milliseconds(300)) : Duration(std::chrono::seconds(2)));
  o.server_url = parsed->text_if("server");
  if (o.server_url) {
    auto url = names::parse_server_url(*o.server_url);
    if (!url) throw UsageError("--server wants http://HOST:PORT, got '" + *o.server_url + "'");
    w.server = *url;
    if (parsed->has("mnamed") || parsed->has("data-dir"))
      throw UsageError("--mnamed and --data-dir are for the server mbench starts; they do not go with --server");
  }
  o.mnamed_path = parsed->text_if("mnamed");
  o.dns = parsed->text_if("dns");
  w.dns_zone = parsed->text_if("zone").value_or(kDnsZone);
  if ((o.dns || parsed->has("zone")) && !o.server_url)
    throw UsageError("--dns and --zone are for a server given with --server (the mnamed started here serves DNS)");
  if (o.dns) {
    const auto colon = o.dns->rfind(':');
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(o.dns->substr(0, colon == std::string::npos ? 0 : colon), ec);
    const auto port = colon == std::string::npos ? 0 : std::atoi(o.dns->c_str() + colon + 1);
    if (ec || port <= 0 || port > 65535) throw UsageError("--dns wants IP:PORT, got '" + *o.dns + "'");
    w.dns = boost::asio::ip::udp::endpoint(address, static_cast<unsigned short>(port));
  }
  o.compare_etcd = parsed->has("etcd");
  if (auto etcd = parsed->text_if("etcd-program")) o.etcd_program = *etcd;
  if (o.compare_etcd && (o.server_url || parsed->has("data-dir")))
    throw UsageError("--etcd starts its own servers; it does not go with --server or --data-dir");
  o.data_dir = parsed->text_if("data-dir");
  // Unique per run, so that runs against one --server do not collide.
  w.name_prefix = "mbench-" + std::to_string(::getpid()) + "-" +
                  std::to_string(std::chrono::system_clock::now().time_since_epoch() / std::chrono::seconds(1));
  return o;
}

// `mnamed serve` on 127.0.0.1, a port the kernel picks, for this run.
class StartedServer {
 public:
  StartedServer(const NamesOptions& o, const fs::path& scratch) {
    data_dir_ = o.data_dir ? fs::path(*o.data_dir) : scratch / "data";
    fs::create_directories(data_dir_);
    log_ = scratch / "mnamed.log";
    const auto& log = log_;
    const auto mnamed = find_project_tool("mnamed", o.mnamed_path);
    process_ = std::make_unique<testbed::ChildProcess>(
        std::vector<std::string>{mnamed.string(), "serve", "--listen", "127.0.0.1:0", "--data-dir", data_dir_.string(),
                                 // Measured, not protected: all clients come from 127.0.0.1 and
                                 // one key updates back to back.
                                 "--max-connections-per-address", "0", "--max-watches-per-address", "0",
                                 "--update-rate", "0", "--dns", "127.0.0.1:0", "--zone", kDnsZone, "--dns-rate", "0"},
        testbed::ChildStreams{-1, -1, log});
    port_ = testbed::wait_for_listening_port(log, *process_);
    // "mnamed: serving DNS for ZONE on 127.0.0.1:PORT (UDP and TCP)", printed just after "listening on".
    const auto dns_line = testbed::wait_for_lines(log, "mnamed: serving DNS for ", 1, *process_, std::chrono::seconds(5));
    const auto& text = dns_line.front().text;
    const auto port_at = text.rfind(':');
    dns_port_ = static_cast<unsigned short>(std::atoi(text.c_str() + (port_at == std::string::npos ? 0 : port_at + 1)));
    if (dns_port_ == 0) throw std::runtime_error("mnamed's DNS line has no port: " + text);
    log::tool()->info("started {} on 127.0.0.1:{} with data in {}", mnamed.string(), port_, data_dir_.string());
  }
  names::ServerUrl url() const { return {"127.0.0.1", std::to_string(port_)}; }
  boost::asio::ip::udp::endpoint dns_endpoint() const { return {boost::asio::ip::address_v4::loopback(), dns_port_}; }
  const fs::path& data_dir() const { return data_dir_; }
  // Stops the server (SIGTERM) and returns how it ended, with its resource use.
  testbed::ChildExit stop() { return process_->stop(); }
  // Updates per fdatasync over the whole run, from mnamed's last status
  // line ("mnamed: U updates made durable with S fdatasyncs"), if it said so.
  std::optional<double> updates_per_sync() const {
    const auto lines = testbed::read_lines_with(log_, " updates made durable with ");
    unsigned long long updates = 0, syncs = 0;
    if (lines.empty() ||
        std::sscanf(lines.back().text.c_str(), "mnamed: %llu updates made durable with %llu", &updates, &syncs) != 2 ||
        syncs == 0)
      return std::nullopt;
    return static_cast<double>(updates) / static_cast<double>(syncs);
  }

 private:
  fs::path data_dir_;
  fs::path log_;
  std::unique_ptr<testbed::ChildProcess> process_;
  unsigned short port_ = 0;
  unsigned short dns_port_ = 0;
};

void add_latency_rows(Report& report, const std::string& key, const std::string& label,
                      const LatencySummary& value, const std::optional<LatencySummary>& baseline,
                      const std::string& baseline_label) {
  const auto chart = label + " (ms)";
  const std::pair<const char*, double LatencySummary::*> percentiles[] = {
      {"p50", &LatencySummary::p50}, {"p90", &LatencySummary::p90}, {"p99", &LatencySummary::p99},
      {"max", &LatencySummary::max}};
  for (const auto& [name, member] : percentiles) {
    report.add({key + "_" + name, label + " " + name, "ms", value.*member,
                baseline ? std::optional<double>((*baseline).*member) : std::nullopt, baseline ? baseline_label : "",
                chart});
  }
}

// What is known of the server mbench started, once stopped.
struct ServerFigures {
  testbed::ChildExit exit;
  std::optional<double> updates_per_sync;
};

Report build_report(const NamesOptions& o, const NamesMeasurements& m, std::optional<double> fdatasync_rate,
                    const std::optional<ServerFigures>& server, const std::string& file_system) {
  const auto& w = o.workload;
  Report report{"names", "mnamed", "baseline", {}, {}, {}, {}, {}, {}, {}};
  report.settings = {{"server", o.server_url ? *o.server_url : "started by mbench on 127.0.0.1"},
                     {"lookups", w.lookups}, {"clients", w.clients},
                     {"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(w.phase_time).count()},
                     {"watches", w.watches}, {"writers", w.writers}, {"quick", o.output.quick},
                     {"data_dir_file_system", file_system}};
  const std::string absent = "lookup of an unknown name (404): an HTTP round trip that does no work";
  const std::string disk = "append + fdatasync in the data directory (" + file_system + ")";
  const auto clients = std::to_string(w.clients) + " clients";
  report.testbed = (o.server_url ? "the name server at " + *o.server_url
                                 : "mnamed started by mbench on 127.0.0.1 (loopback), data directory on " + file_system) +
                   "; 1 and " + clients + " in one thread";
  add_latency_rows(report, "lookup_latency", "lookup latency", m.lookup_ms, m.absent_lookup_ms, absent);
  report.add({"lookups_per_second_1_client", "lookups/s, 1 client", "1/s", m.lookups_per_second, m.absent_per_second, absent,
              "lookups per second"});
  report.add({"lookups_per_second_concurrent", "lookups/s, " + clients, "1/s", m.concurrent_lookups_per_second,
              m.concurrent_absent_per_second, absent, "lookups per second"});
  const auto sync_ms = fdatasync_rate ? std::optional(1000.0 / *fdatasync_rate) : std::nullopt;
  report.add({"update_latency_p50", "update latency p50", "ms", m.update_ms.p50, sync_ms, disk, "update latency (ms)"});
  report.add({"update_latency_p99", "update latency p99", "ms", m.update_ms.p99, sync_ms, disk, "update latency (ms)"});
  report.add({"updates_per_second_1_client", "updates/s, 1 client", "1/s", m.updates_per_second, fdatasync_rate, disk,
              "updates per second"});
  report.add({"updates_per_second_concurrent", "updates/s, " + clients + " (1 name each)", "1/s",
              m.concurrent_updates_per_second, fdatasync_rate, disk, "updates per second"});
  const auto writers = std::to_string(w.writers) + " writers at once";
  report.add({"updates_per_second_group_commit", "updates/s, " + writers + " (group commit)", "1/s",
              m.loaded_updates_per_second, fdatasync_rate, disk, "updates per second"});
  if (m.dns) {
    const std::string http = "HTTP lookup of the same name (GET, signature verified by the client)";
    add_latency_rows(report, "dns_query_latency", "DNS query latency", m.dns->query_ms, m.lookup_ms, http);
    report.add({"dns_queries_per_second_1_client", "DNS queries/s, 1 client", "1/s", m.dns->queries_per_second,
                m.lookups_per_second, http, "DNS queries per second"});
    report.add({"dns_queries_per_second_concurrent", "DNS queries/s, " + clients, "1/s",
                m.dns->concurrent_queries_per_second, m.concurrent_lookups_per_second, http,
                "DNS queries per second"});
  }
  add_latency_rows(report, "lookup_latency_during_updates", "lookup latency during updates", m.loaded_lookup_ms,
                   m.lookup_ms, "lookup latency, no updates");
  add_latency_rows(report, "watch_latency", "watch latency", m.watch_ms, std::nullopt, "");
  if (server) {
    if (server->updates_per_sync)
      report.add({"updates_per_fdatasync", "updates per fdatasync, mnamed's count, whole run", "1",
                  *server->updates_per_sync, {}, "", "updates per fdatasync"});
    report.add({"server_peak_rss", "mnamed peak RSS", "KiB", static_cast<double>(server->exit.peak_rss_kib()), {}, "",
                "mnamed peak RSS (KiB)"});
    report.add({"server_cpu", "mnamed CPU time, whole run", "s", server->exit.cpu_seconds(), {}, "",
                "mnamed CPU time (s)"});
  }
  report.notes.push_back("watch latency: from the writer sending its PUT to a long-poll watcher (another "
                         "thread, another connection) having the new record; it includes the server's fsync");
  report.notes.push_back("group commit: updates that arrive while the server's fdatasync runs share the next one; "
                         "an update is acknowledged only once durable, so a ratio above 1 to the disk's fdatasync "
                         "rate is the sharing");
  if (m.dns)
    report.notes.push_back("DNS: A queries over UDP to mnamed's DNS face (--dns), one in flight per socket; the "
                           "answer is unsigned, so the client verifies nothing, unlike an HTTP lookup");
  report.notes.push_back("every lookup's record signature is verified by the client, as lib/names' Client does; "
                         "the benchmark's clients share one thread");
  if (!fdatasync_rate) report.notes.push_back("no fdatasync baseline: the server's disk is not ours to measure");
  return report;
}

// --etcd: each etcd scenario's lookups/s and updates/s against the log
// store's, and the watch latencies.
Report build_store_report(const NamesOptions& o, const std::vector<StoreFigures>& all) {
  const auto& w = o.workload;
  Report report{"names", "etcd store", "log store", {}, {}, {}, {}, {}, {}, {}};
  report.settings = {{"store_comparison", true}, {"clients", w.clients}, {"watches", w.watches},
                     {"duration_ms", std::chrono::duration_cast<std::chrono::milliseconds>(w.phase_time).count()},
                     {"quick", o.output.quick}, {"etcd", o.etcd_program}};
  report.testbed = "mnamed and etcd started by mbench on loopback, " + std::to_string(w.clients) +
                   " clients in one thread spread over the front ends";
  const auto& log = all.front();
  const std::string same = "log store, 1 front end, same clients";
  for (const auto& f : all) {
    if (f.members == 0) continue;
    const auto key = "etcd_" + std::to_string(f.members) + "m_" + std::to_string(f.front_ends) + "fe";
    report.add({key + "_lookups_per_second", "lookups/s, " + describe(f), "1/s", f.lookups_per_second,
                log.lookups_per_second, same, "lookups per second"});
    report.add({key + "_updates_per_second", "updates/s, " + describe(f), "1/s", f.updates_per_second,
                log.updates_per_second, same, "updates per second"});
  }
  for (const auto& f : all) {
    const auto key = f.members == 0 ? std::string("log") : "etcd_" + std::to_string(f.members) + "m_" + std::to_string(f.front_ends) + "fe";
    const auto& ms = f.watch_from_acknowledgement_ms;
    const auto& baseline = log.watch_from_acknowledgement_ms;
    const auto is_log = f.members == 0;
    report.add({key + "_watch_latency_p50", "watch latency p50, " + describe(f), "ms", ms.p50,
                is_log ? std::nullopt : std::optional(baseline.p50), is_log ? "" : same, "watch latency p50 (ms)"});
    report.add({key + "_watch_latency_p99", "watch latency p99, " + describe(f), "ms", ms.p99,
                is_log ? std::nullopt : std::optional(baseline.p99), is_log ? "" : same, "watch latency p99 (ms)"});
    report.add({key + "_watch_latency_from_request_p50", "watch latency from the PUT sent, p50, " + describe(f), "ms",
                f.watch_from_request_ms.p50, {}, "", "watch latency from the request (ms)"});
  }
  report.notes.push_back("watch latency: from the writer's PUT being acknowledged (through the first front end) to "
                         "a long-poll watcher on the last front end having the new record; 0 when the watcher had it "
                         "first");
  report.notes.push_back("every member and front end shares this machine's cores with the clients: the ratios, not "
                         "the rates, are what carries over");
  return report;
}

int run_store_comparison(const NamesOptions& o) {
  Progress progress("names --etcd", 5);
  const testbed::TemporaryDirectory scratch("mbench-names-etcd");
  StoreComparisonWorkload workload;
  workload.mnamed = find_project_tool("mnamed", o.mnamed_path);
  workload.etcd = o.etcd_program;
  if (!fs::exists(workload.etcd)) throw std::runtime_error("no etcd at " + workload.etcd.string() + " (apt-get install etcd-server)");
  workload.scratch = scratch.path();
  workload.clients = o.workload.clients;
  workload.phase_time = o.workload.phase_time;
  workload.watches = o.workload.watches;
  workload.name_prefix = o.workload.name_prefix;
  write_outputs(build_store_report(o, compare_stores(workload, progress)), o.output);
  return kExitOk;
}

int run_names(const NamesOptions& o) {
  testbed::catch_interruptions();
  if (o.compare_etcd) return run_store_comparison(o);
  Progress progress("names", kSteps + (o.server_url && !o.dns ? 0 : 1));
  const testbed::TemporaryDirectory scratch("mbench-names");
  std::unique_ptr<StartedServer> server;
  NamesWorkload workload = o.workload;
  if (o.server_url) {
    progress.step("using the name server at " + *o.server_url);
  } else {
    progress.step("starting mnamed on 127.0.0.1");
    server = std::make_unique<StartedServer>(o, scratch.path());
    workload.server = server->url();
    workload.dns = server->dns_endpoint();
  }
  const auto measurements = measure_names(workload, progress);
  std::optional<double> fdatasync_rate;
  std::string file_system = "unknown";
  if (server) {
    progress.step("baseline: append + fdatasync in the data directory");
    fdatasync_rate = measure_fdatasync_rate(server->data_dir(), workload.phase_time);
    file_system = file_system_type(server->data_dir());
  } else {
    progress.step("baseline: fdatasync skipped (the server's disk is not ours)");
  }
  std::optional<ServerFigures> server_figures;
  if (server) {
    server_figures = ServerFigures{server->stop(), server->updates_per_sync()};
    if (!server_figures->exit.success()) throw std::runtime_error("mnamed " + server_figures->exit.describe());
  }
  write_outputs(build_report(o, measurements, fdatasync_rate, server_figures, file_system), o.output);
  return kExitOk;
}

}  // namespace

int run_names_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_names, run_names);
}

}  // namespace msocket::mbench
