// mbench throughput: one path, msocket (mcat, encrypted as by default, and
// mcat --no-encrypt at both ends) against plain TCP (socat with mcat's
// 128 KiB buffer: the same tool shape), on loopback or, with --netns,
// between two namespaces joined by a veth pair, shaped with tc tbf by
// --rate. Goodput, CPU seconds per GiB (wait4 of each end) and peak RSS,
// each the median of --runs runs, which alternate the order of the three;
// the ratios to socat against the project's targets (reported; --check
// fails the run when one is not met).
#include <algorithm>
#include <cstdio>
#include <memory>

#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/benchmark_options.hpp"
#include "common/latency_summary.hpp"
#include "common/output.hpp"
#include "common/progress.hpp"
#include "common/project_tools.hpp"
#include "core/log.hpp"
#include "testbed/child_process.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"
#include "testbed/veth_pair_testbed.hpp"
#include "throughput/transfer.hpp"

namespace po = boost::program_options;

namespace msocket::mbench {

namespace {

constexpr const char* kThroughputSynopsis =
    "usage: mbench throughput [--netns [--rate RATE]] [--size SIZE] [--check] [--quick] [--json FILE]\n"
    "                         [--csv FILE] [--plot DIR] [options]\n";
constexpr const char* kThroughputNotes =
    "Three tools per run: mcat (encrypted, the default), mcat --no-encrypt at both ends,\n"
    "and the plain TCP baseline socat -b 131072 (mcat's buffer size), all fed and drained\n"
    "through pipes alike. CPU seconds and peak RSS come from wait4(2). Targets: goodput\n"
    ">= 0.9 x socat's encrypted, >= 1.0 x unencrypted; CPU per GiB unencrypted <= 1.0 x.\n";
constexpr const char* kSocatBuffer = "131072";  // mcat's chunk (lib/relay/splice.cpp)

struct ThroughputOptions {
  std::uint64_t bytes = 0;
  unsigned runs = 1;
  bool netns = false;
  bool check = false;  // unmet targets fail the run
  testbed::BitsPerSecond rate = 0;  // with netns; 0 = no shaping
  std::optional<std::string> mcat_path;
  OutputOptions output;
};

std::optional<ThroughputOptions> parse_throughput(const std::vector<std::string>& args) {
  BenchmarkOptions command_line("mbench throughput: one path, msocket (mcat) against plain TCP (socat)",
                                kThroughputSynopsis, kThroughputNotes);
  command_line.add()
      ("size", po::value<std::string>(), "bytes per transfer, e.g. 256MiB (default 1GiB; --quick 64MiB)")
      ("runs", po::value<std::string>(), "transfers per tool; the median is reported (default 3; --quick 1)")
      ("netns", "between two network namespaces joined by a veth pair (root only) instead of on loopback")
      ("rate", po::value<std::string>(), "with --netns: shape the veth to RATE each way with tc tbf (e.g. 100mbit)")
      ("check", "exit 1 when a target is not met (they are reported either way)");
  command_line.add_program("mcat", "measure");
  const auto parsed = command_line.parse(args);
  if (!parsed) return std::nullopt;
  ThroughputOptions o;
  o.output = parsed->output();
  o.bytes = parsed->size_or("size", o.output.quick ? 64 << 20 : 1ull << 30);
  o.runs = parsed->count_or("runs", 100, o.output.quick ? 1 : 3);
  o.netns = parsed->has("netns");
  o.check = parsed->has("check");
  if (parsed->has("rate")) {
    if (!o.netns) throw UsageError("--rate shapes the veth of --netns; on loopback there is nothing to shape");
    o.rate = parse_rate_option("rate", parsed->text("rate"), false, "e.g. 100mbit, 1gbit");
  }
  if (o.bytes < (1u << 20)) throw UsageError("--size must be at least 1MiB, to time it");
  o.mcat_path = parsed->text_if("mcat");
  return o;
}

std::vector<TransferTool> tools(const std::filesystem::path& mcat) {
  const std::string m = mcat.string();
  // One way, as socat -u: with ncat's end-of-file rules the receiver's empty
  // input would otherwise end the connection before the data has crossed.
  // mcat encrypts unless both ends say --no-encrypt.
  const auto mcat_tool = [m](std::string name, std::string description, std::vector<std::string> extra) {
    return TransferTool{std::move(name), std::move(description),
                        [m, extra](const std::string& address) {
                          std::vector<std::string> argv{m, "-l", "-v", "--recv-only", address, "0"};
                          argv.insert(argv.begin() + 1, extra.begin(), extra.end());
                          return argv;
                        },
                        [m, extra](const std::string& address, unsigned short port) {
                          std::vector<std::string> argv{m, "--send-only", address, std::to_string(port)};
                          argv.insert(argv.begin() + 1, extra.begin(), extra.end());
                          return argv;
                        },
                        {}};
  };
  return {
      mcat_tool("msocket", "mcat (encrypted, the default)", {}),
      mcat_tool("msocket-no-encrypt", "mcat --no-encrypt at both ends", {"--no-encrypt"}),
      {"tcp", std::string("socat -b ") + kSocatBuffer,
       [](const std::string& address) {
         return std::vector<std::string>{"socat", "-d", "-d", "-b", kSocatBuffer, "-u",
                                         "TCP-LISTEN:0,bind=" + address, "STDOUT"};
       },
       [](const std::string& address, unsigned short port) {
         return std::vector<std::string>{"socat", "-b", kSocatBuffer, "-u", "STDIN",
                                         "TCP:" + address + ":" + std::to_string(port)};
       },
       {}},
  };
}


struct Figure {
  const char* key;
  const char* label;
  const char* unit;
  const char* chart;
  double (*of)(const TransferResult&);
};

const Figure kFigures[] = {
    {"goodput", "goodput", "MiB/s", "goodput (MiB/s)", [](const TransferResult& r) { return r.timed_bytes / kMiB / r.seconds; }},
    {"cpu_per_gib", "CPU per GiB, both ends", "s/GiB", "CPU seconds per GiB",
     [](const TransferResult& r) { return (r.sender.cpu_seconds() + r.receiver.cpu_seconds()) / (r.bytes / kGiB); }},
    {"cpu_per_gib_sender", "CPU per GiB, sender", "s/GiB", "CPU seconds per GiB",
     [](const TransferResult& r) { return r.sender.cpu_seconds() / (r.bytes / kGiB); }},
    {"cpu_per_gib_receiver", "CPU per GiB, receiver", "s/GiB", "CPU seconds per GiB",
     [](const TransferResult& r) { return r.receiver.cpu_seconds() / (r.bytes / kGiB); }},
    {"peak_rss_sender", "peak RSS, sender", "KiB", "peak RSS (KiB)",
     [](const TransferResult& r) { return double(r.sender.peak_rss_kib()); }},
    {"peak_rss_receiver", "peak RSS, receiver", "KiB", "peak RSS (KiB)",
     [](const TransferResult& r) { return double(r.receiver.peak_rss_kib()); }},
};

// The targets (docs/results.md): encryption may cost a tenth of plain TCP's
// goodput; without it mcat should match socat, at no more CPU per byte.
void add_targets(Report& report) {
  const auto& goodput = report.measurements[0];
  const auto& cpu = report.measurements[1];
  const auto& plain = report.variants[0];
  report.targets = {
      {"goodput_encrypted", "goodput, msocket / tcp", goodput.ratio().value_or(0), 0.9, true},
      {"goodput_no_encrypt", "goodput, msocket --no-encrypt / tcp", goodput.ratio_of(plain.values[0]).value_or(0), 1.0,
       true},
      {"cpu_per_gib_no_encrypt", "CPU per GiB, msocket --no-encrypt / tcp", cpu.ratio_of(plain.values[1]).value_or(0),
       1.0, false},
  };
}

// results: msocket, msocket --no-encrypt, tcp (the order of tools()).
Report build_report(const ThroughputOptions& o, const std::vector<TransferTool>& tools,
                    const std::vector<std::vector<TransferResult>>& results) {
  Report report{"throughput", tools[0].name, tools[2].name, {}, {}, {}, {}, {}, {}, {}};
  report.settings = {{"size_bytes", o.bytes}, {"runs", o.runs}, {"quick", o.output.quick},
                     {"path", o.netns ? "veth between two network namespaces" : "loopback"},
                     {"rate_bits_per_second", o.rate}, {"msocket", tools[0].description},
                     {"msocket_no_encrypt", tools[1].description}, {"tcp", tools[2].description}};
  report.testbed = (o.netns ? "a veth pair between two network namespaces" +
                                  (o.rate ? " shaped to " + testbed::format_rate(o.rate) : std::string(", no rate limit"))
                            : std::string("loopback")) +
                   "; " + format_size(o.bytes) + " per run, " + std::to_string(o.runs) + " run(s)";
  report.variants.push_back({"msocket_no_encrypt", "no-encrypt", {}});
  for (const auto& f : kFigures) {
    report.add({f.key, f.label, f.unit, median_of(results[0], f.of), median_of(results[2], f.of),
                "plain TCP: " + tools[2].description + ", same pipes", f.chart});
    report.variants[0].values.push_back(median_of(results[1], f.of));
  }
  add_targets(report);
  report.notes.push_back("msocket: " + tools[0].description + "; no-encrypt: " + tools[1].description);
  report.notes.push_back("medians of " + std::to_string(o.runs) + " run(s) of " + format_size(o.bytes) + " over " +
                         (o.netns ? "a veth pair" + (o.rate ? " shaped to " + testbed::format_rate(o.rate) : std::string())
                                  : std::string("loopback")) +
                         "; goodput from the first byte out of the receiver to the last");
  return report;
}

int run_throughput(const ThroughputOptions& o) {
  testbed::catch_interruptions();
  const auto mcat = find_project_tool("mcat", o.mcat_path);
  if (!testbed::find_in_path("socat"))
    throw std::runtime_error("the plain TCP baseline needs socat, which is not installed (scripts/install-deps.sh)");
  const auto all = tools(mcat);
  Progress progress("throughput", static_cast<int>(all.size() * o.runs) + (o.netns ? 1 : 0));
  const testbed::TemporaryDirectory logs("mbench-throughput");
  std::unique_ptr<testbed::VethPairTestbed> namespaces;
  TransferPlan plan;
  plan.bytes = o.bytes;
  plan.log_dir = logs.path();
  if (o.netns) {
    progress.step("two namespaces and a veth pair" + (o.rate ? " at " + testbed::format_rate(o.rate) : std::string()));
    testbed::require_root_and_ip("--netns", "it creates network namespaces and a veth pair "
                                            "(run as root, or leave out --netns to measure on loopback)");
    namespaces = std::make_unique<testbed::VethPairTestbed>(testbed_names(), o.rate);
    plan.sender_namespace = namespaces->sender_namespace();
    plan.receiver_namespace = namespaces->receiver_namespace();
    plan.receiver_address = namespaces->receiver_address();
  }
  // Room for a slow shaped link: twice the time the rate needs, plus a minute.
  if (o.rate) plan.timeout = std::chrono::minutes(1) + std::chrono::seconds(2 * o.bytes * 8 / o.rate);
  const auto results = run_alternating(all, plan, o.runs, progress);
  namespaces.reset();  // before printing: nothing of ours is left behind if the output fails
  const auto report = build_report(o, all, results);
  write_outputs(report, o.output);
  if (o.check && !report.targets_met()) {
    std::fprintf(stderr, "mbench throughput: --check: a target is not met (see the table)\n");
    return kExitRuntime;
  }
  return kExitOk;
}

}  // namespace

int run_throughput_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_throughput, run_throughput);
}

}  // namespace msocket::mbench
