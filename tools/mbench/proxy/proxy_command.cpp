// mbench proxy: what a relay costs. One path on loopback, mcat through an
// mproxy (the listener reserves its name on the relay and the client
// connects by name, as behind NAT) against mcat directly, both encrypted
// as by default: goodput, CPU per GiB of the ends and of the relay (wait4
// of each process), and the share of the relayed bytes that splice(2)
// moved (mproxy's last status line). The medians of --runs runs, which
// alternate the order; targets: relayed goodput >= 0.9 x direct, >= 99 %
// of bytes spliced. Before the transfers, what idle reservations cost a
// relay (idle_reservations.hpp): its memory per reservation, target
// <= 16 KiB, and its CPU while idle.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <memory>

#include "commands.hpp"
#include "common/benchmark_options.hpp"
#include "common/latency_summary.hpp"
#include "common/output.hpp"
#include "common/progress.hpp"
#include "common/project_tools.hpp"
#include "core/log.hpp"
#include "proxy/idle_reservations.hpp"
#include "testbed/child_process.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"
#include "throughput/transfer.hpp"

namespace msocket::mbench {

namespace {

namespace fs = std::filesystem;

constexpr const char* kProxySynopsis =
    "usage: mbench proxy [--size SIZE] [--runs N] [--reservations N] [--check] [--quick] [--json FILE]\n"
    "                    [--csv FILE] [--plot DIR] [options]\n";
constexpr const char* kProxyNotes =
    "Two tools per run on loopback, both encrypted: mcat reached through mproxy (the listener\n"
    "reserves its name on the relay, the client connects by name) and mcat directly. CPU seconds\n"
    "come from wait4(2), the relay's over all its runs. Before them, --reservations idle\n"
    "reservations held by mbench on one mproxy: its resident memory (/proc) per reservation, and its\n"
    "CPU while idle. Targets: relayed goodput >= 0.9 x direct; >= 99% of the relayed bytes moved by\n"
    "splice(2); <= 16 KiB of relay memory per idle reservation.\n";
constexpr const char* kName = "relayed.bench";
constexpr const char* kRelayAddress = "127.0.0.2";

constexpr unsigned kMostReservations = 100000;
constexpr double kMemoryPerReservationTarget = 16;  // KiB

struct ProxyOptions {
  std::uint64_t bytes = 0;
  unsigned runs = 1;
  unsigned reservations = 0;  // idle, on one relay; 0: not measured
  bool check = false;
  std::optional<std::string> mcat_path, mnamed_path, mproxy_path;
  OutputOptions output;
};

// --reservations: 0 (not measured) to kMostReservations.
unsigned parse_reservations(const std::string& text) {
  unsigned number = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size() || number > kMostReservations)
    throw UsageError("--reservations wants a number from 0 to " + std::to_string(kMostReservations) + ", got '" + text +
                     "'");
  return number;
}

std::optional<ProxyOptions> parse_proxy(const std::vector<std::string>& args) {
  BenchmarkOptions command_line("mbench proxy: mcat through a relay (mproxy) against mcat directly", kProxySynopsis,
                                kProxyNotes);
  command_line.add()
      ("size", boost::program_options::value<std::string>(), "bytes per transfer, e.g. 256MiB (default 1GiB; --quick 64MiB)")
      ("runs", boost::program_options::value<std::string>(), "transfers per tool; the median is reported (default 3; --quick 1)")
      ("reservations", boost::program_options::value<std::string>(),
       "idle reservations held on one relay, to measure its memory per reservation (default 10000; --quick 500; 0: none)")
      ("check", "exit 1 when a target is not met (they are reported either way)");
  command_line.add_program("mcat", "measure");
  command_line.add_program("mnamed", "run");
  command_line.add_program("mproxy", "run");
  const auto parsed = command_line.parse(args);
  if (!parsed) return std::nullopt;
  ProxyOptions o;
  o.output = parsed->output();
  o.bytes = parsed->size_or("size", o.output.quick ? 64 << 20 : 1ull << 30);
  o.runs = parsed->count_or("runs", 100, o.output.quick ? 1 : 3);
  o.check = parsed->has("check");
  if (o.bytes < (1u << 20)) throw UsageError("--size must be at least 1MiB, to time it");
  o.reservations = o.output.quick ? 500 : 10000;
  if (parsed->has("reservations")) o.reservations = parse_reservations(parsed->text("reservations"));
  o.mcat_path = parsed->text_if("mcat");
  o.mnamed_path = parsed->text_if("mnamed");
  o.mproxy_path = parsed->text_if("mproxy");
  return o;
}

// mnamed and mproxy for the whole run, and the name's key.
class RelayBed {
 public:
  RelayBed(const ProxyOptions& o, const fs::path& scratch) : scratch_(scratch) {
    const auto mnamed = find_project_tool("mnamed", o.mnamed_path);
    const auto data = scratch / "names";
    fs::create_directories(data);
    names_ = std::make_unique<testbed::ChildProcess>(
        std::vector<std::string>{mnamed.string(), "serve", "--listen", "127.0.0.1:0", "--data-dir", data.string()},
        testbed::ChildStreams{-1, -1, scratch / "mnamed.log"});
    url_ = "http://127.0.0.1:" + std::to_string(testbed::wait_for_listening_port(scratch / "mnamed.log", *names_));
    testbed::run_command({mnamed.string(), "keygen", "--out", key_file().string()});
    const auto mproxy = find_project_tool("mproxy", o.mproxy_path);
    relay_log_ = scratch / "mproxy.log";
    relay_ = std::make_unique<testbed::ChildProcess>(
        std::vector<std::string>{mproxy.string(), "--listen", std::string(kRelayAddress) + ":0", "--names", url_},
        testbed::ChildStreams{-1, -1, relay_log_});
    relay_port_ = testbed::wait_for_listening_port(relay_log_, *relay_);
    log::tool()->info("mnamed at {}, mproxy at {}:{}", url_, kRelayAddress, relay_port_);
  }
  const std::string& url() const { return url_; }
  fs::path key_file() const { return scratch_ / "name.key"; }
  fs::path known_names() const { return scratch_ / "known_names"; }
  std::string relay() const { return std::string(kRelayAddress) + ":" + std::to_string(relay_port_); }
  // Stops the relay; its CPU seconds and the bytes it spliced and copied.
  struct RelayTotals {
    double cpu_seconds = 0;
    double spliced = 0, copied = 0;
  };
  RelayTotals stop_relay() {
    const auto exit = relay_->stop();
    RelayTotals totals{exit.cpu_seconds(), 0, 0};
    const auto lines = testbed::read_lines_with(relay_log_, " bytes spliced, ");
    unsigned long long flows = 0, spliced = 0, copied = 0;
    if (lines.empty() || std::sscanf(lines.back().text.c_str(), "mproxy: %llu flow(s), %llu bytes spliced, %llu bytes copied",
                                     &flows, &spliced, &copied) != 3)
      throw std::runtime_error("mproxy said nothing of the bytes it spliced (see " + relay_log_.string() + ")");
    totals.spliced = static_cast<double>(spliced);
    totals.copied = static_cast<double>(copied);
    return totals;
  }

 private:
  fs::path scratch_;
  std::unique_ptr<testbed::ChildProcess> names_, relay_;
  std::string url_;
  fs::path relay_log_;
  unsigned short relay_port_ = 0;
};

// [0] through the relay, [1] direct: the same mcat, one way (as socat -u).
std::vector<TransferTool> tools(const fs::path& mcat, const RelayBed& bed) {
  const std::string m = mcat.string();
  TransferTool relayed{
      "relayed", "mcat through mproxy, by name",
      [m, &bed](const std::string& address) {
        return std::vector<std::string>{m, "-l", "-v", "--recv-only", "--names", bed.url(), "--name", kName, "--key",
                                        bed.key_file().string(), "--proxy", bed.relay(), address, "0"};
      },
      [m, &bed](const std::string&, unsigned short) {
        return std::vector<std::string>{m, "--send-only", "--names", bed.url(), "--known-names",
                                        bed.known_names().string(), kName};
      },
      std::string("registered ") + kName};
  TransferTool direct{"direct", "mcat directly",
                      [m](const std::string& address) {
                        return std::vector<std::string>{m, "-l", "-v", "--recv-only", address, "0"};
                      },
                      [m](const std::string& address, unsigned short port) {
                        return std::vector<std::string>{m, "--send-only", address, std::to_string(port)};
                      },
                      {}};
  return {relayed, direct};
}

double goodput(const TransferResult& r) { return r.timed_bytes / kMiB / r.seconds; }
double cpu_per_gib(const TransferResult& r) { return (r.sender.cpu_seconds() + r.receiver.cpu_seconds()) / (r.bytes / kGiB); }

// The rows, target and notes of the idle reservations.
void add_idle_reservations(Report& report, const IdleReservationsResult& idle) {
  const double memory = idle.resident_kib_per_reservation();
  report.add({"relay_memory_per_reservation", "relay memory per idle reservation (VmRSS)", "KiB", memory,
              std::nullopt, "", "relay memory per idle reservation (KiB)"});
  report.add({"relay_anonymous_memory_per_reservation", "relay memory per idle reservation (RssAnon)", "KiB",
              idle.anonymous_kib_per_reservation(), std::nullopt, "", "relay memory per idle reservation (KiB)"});
  report.add({"relay_idle_cpu_per_1000", "relay CPU while idle, per 1000 reservations", "ms/s",
              idle.idle_cpu_per_thousand(), std::nullopt, "", "relay CPU while idle (ms/s per 1000 reservations)"});
  report.targets.push_back({"relay_memory_per_reservation", "relay memory per idle reservation (KiB)", memory,
                            kMemoryPerReservationTarget, false});
  report.samples["idle_reservations"] = {
      {"reservations", idle.reservations},
      {"sources", idle.sources},
      {"relay_vmrss_kib_before", idle.before.resident_kib},
      {"relay_vmrss_kib_after", idle.after.resident_kib},
      {"relay_rssanon_kib_before", idle.before.anonymous_kib},
      {"relay_rssanon_kib_after", idle.after.anonymous_kib},
      {"relay_descriptors_before", idle.descriptors_before},
      {"relay_descriptors_after", idle.descriptors_after},
      {"reserve_seconds", idle.reserve_seconds},
      {"idle_seconds", idle.idle_seconds},
      {"relay_idle_cpu_seconds", idle.idle_cpu_seconds},
      {"renewal_interval_seconds", std::chrono::duration<double>(idle.renewal_interval).count()}};
  report.notes.push_back(
      "idle reservations: " + std::to_string(idle.reservations) + " held by mbench on one mproxy from " +
      std::to_string(idle.sources) + " addresses 127.0.x.y, each a control channel and a public port there, renewed every " +
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(idle.renewal_interval).count()) +
      " s; memory: the relay's VmRSS (RssAnon) after " + std::to_string(std::lround(idle.idle_seconds)) +
      " s idle less once listening, over the reservations (the kernel's socket buffers are not in it); CPU: "
      "/proc/PID/stat over the idle time, in clock ticks");
}

Report build_report(const ProxyOptions& o, const std::vector<std::vector<TransferResult>>& results,
                    const RelayBed::RelayTotals& relay, const std::optional<IdleReservationsResult>& idle) {
  Report report{"proxy", "relayed", "direct", {}, {}, {}, {}, {}, {}, {}};
  report.settings = {{"size_bytes", o.bytes}, {"runs", o.runs}, {"quick", o.output.quick}, {"path", "loopback"},
                     {"reservations", o.reservations}};
  report.testbed = "loopback; " + format_size(o.bytes) + " per run, " + std::to_string(o.runs) + " run(s)";
  const std::string direct = "mcat directly, same pipes";
  report.add({"goodput", "goodput", "MiB/s", median_of(results[0], goodput), median_of(results[1], goodput), direct,
              "goodput (MiB/s)"});
  report.add({"cpu_per_gib_ends", "CPU per GiB, both ends", "s/GiB", median_of(results[0], cpu_per_gib),
              median_of(results[1], cpu_per_gib), direct, "CPU seconds per GiB"});
  double relayed_bytes = 0;
  for (const auto& r : results[0]) relayed_bytes += static_cast<double>(r.bytes);
  const double relay_cpu = relay.cpu_seconds / (relayed_bytes / kGiB);
  report.add({"cpu_per_gib_relay", "CPU per GiB, relay", "s/GiB", relay_cpu, std::nullopt, "", "CPU seconds per GiB"});
  const double share = relay.spliced + relay.copied > 0 ? relay.spliced / (relay.spliced + relay.copied) : 0;
  report.add({"spliced_share", "bytes moved by splice(2)", "share", share, std::nullopt, "", ""});
  report.targets = {
      {"goodput_relayed", "goodput, relayed / direct", report.measurements[0].ratio().value_or(0), 0.9, true},
      {"spliced_share", "share of relayed bytes spliced", share, 0.99, true},
  };
  report.notes.push_back("relayed: mcat -l --proxy (name reserved on mproxy) and mcat connecting by name; direct: mcat");
  report.notes.push_back("medians of " + std::to_string(o.runs) + " run(s) of " + format_size(o.bytes) +
                         " on loopback; the relay's CPU is over all its runs, divided by all they carried");
  if (idle) add_idle_reservations(report, *idle);
  return report;
}

int run_proxy(const ProxyOptions& o) {
  testbed::catch_interruptions();
  const auto mcat = find_project_tool("mcat", o.mcat_path);
  const testbed::TemporaryDirectory scratch("mbench-proxy");
  Progress progress("proxy", static_cast<int>(2 * o.runs) + 1 + (o.reservations ? 3 : 0));
  std::optional<IdleReservationsResult> idle;
  if (o.reservations)
    idle = measure_idle_reservations({o.reservations, find_project_tool("mproxy", o.mproxy_path), kRelayAddress,
                                      scratch.path(), std::chrono::seconds(2), o.output.quick ? "3s" : "30s"},
                                     progress);
  progress.step("mnamed and mproxy on loopback");
  RelayBed bed(o, scratch.path());
  const auto all = tools(mcat, bed);
  TransferPlan plan;
  plan.bytes = o.bytes;
  plan.log_dir = scratch.path();
  const auto results = run_alternating(all, plan, o.runs, progress);
  const auto relay = bed.stop_relay();
  const auto report = build_report(o, results, relay, idle);
  write_outputs(report, o.output);
  if (o.check && !report.targets_met()) {
    std::fprintf(stderr, "mbench proxy: --check: a target is not met (see the table)\n");
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace

int run_proxy_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_proxy, run_proxy);
}

}  // namespace msocket::mbench
