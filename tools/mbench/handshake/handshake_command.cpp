// mbench handshake: NEW connections per second and connect latency against
// `mcat -l -k` on loopback, with two listeners running side by side: one
// without a key, and one with --key (a fresh Ed25519 key), whose clients
// pass its public key as --peer-key would: the listener signs each
// handshake and the client checks the signature. The clients run in
// mbench (handshake_connections.hpp); the rows are the signed listener
// against the unsigned one, and the median latency the signature adds.
#include <memory>

#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/benchmark_options.hpp"
#include "common/latency_summary.hpp"
#include "common/output.hpp"
#include "common/progress.hpp"
#include "common/progress_bar.hpp"
#include "common/project_tools.hpp"
#include "core/log.hpp"
#include "handshake/handshake_connections.hpp"
#include "names/key_file.hpp"
#include "testbed/child_process.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"

namespace po = boost::program_options;
namespace fs = std::filesystem;

namespace msocket::mbench {

namespace {

constexpr const char* kHandshakeSynopsis =
    "usage: mbench handshake [--connections N] [--concurrency N] [--rounds N] [--quick] [--json FILE]\n"
    "                        [--csv FILE] [--plot DIR] [options]\n";
constexpr const char* kHandshakeNotes =
    "Two mcat -l -k listeners on 127.0.0.1: 'unsigned' (no key) and 'signed' (--key, a new\n"
    "Ed25519 key; the clients expect its public key, as --peer-key does). mbench opens the\n"
    "connections itself (msocket::async_connect): each connects, sends a few bytes and\n"
    "closes. Latency: from the start of the connect to its completion (TCP, NEW handshake,\n"
    "signature). The two listeners' batches alternate.\n";

struct HandshakeOptions {
  HandshakeWorkload workload;
  std::optional<std::string> mcat_path;
  OutputOptions output;
};

std::optional<HandshakeOptions> parse_handshake(const std::vector<std::string>& args) {
  BenchmarkOptions command_line("mbench handshake: new msocket connections per second and their latency, "
                                "with and without the listener's signature",
                                kHandshakeSynopsis, kHandshakeNotes);
  command_line.add()
      ("connections", po::value<std::string>(), "connections timed per listener (default 300; --quick 40)")
      ("concurrency", po::value<std::string>(), "connections at once (default 4)")
      ("rounds", po::value<std::string>(), "batches per listener, alternating between the two (default 6)");
  command_line.add_program("mcat", "listen with");
  const auto parsed = command_line.parse(args);
  if (!parsed) return std::nullopt;
  HandshakeOptions o;
  o.output = parsed->output();
  auto& w = o.workload;
  w.connections = parsed->count_or("connections", 1'000'000, o.output.quick ? 40 : 300);
  w.concurrency = parsed->count_or("concurrency", 64, 4);
  w.warm_up = w.concurrency;
  w.rounds = std::min(parsed->count_or("rounds", 1000, 6), w.connections);
  o.mcat_path = parsed->text_if("mcat");
  return o;
}

// `mcat -l -k` on 127.0.0.1, a port the kernel picks; signing with `key`
// when given.
class Listener {
 public:
  Listener(const fs::path& mcat, const fs::path& log, const std::optional<fs::path>& key) : log_(log) {
    std::vector<std::string> argv{mcat.string(), "-l", "-k", "-v", "--recv-only"};
    if (key) argv.insert(argv.end(), {"--key", key->string()});
    argv.insert(argv.end(), {"127.0.0.1", "0"});
    for (const auto& word : argv) command_ += (command_.empty() ? "" : " ") + word;
    process_ = std::make_unique<testbed::ChildProcess>(argv, testbed::ChildStreams{-1, -1, log});
    port_ = testbed::wait_for_listening_port(log, *process_);
    log::tool()->info("listener pid={} on 127.0.0.1:{}: {}", process_->pid(), port_, command_);
  }
  unsigned short port() const { return port_; }
  const std::string& command() const { return command_; }
  // Stops it (SIGTERM): how it ended, with its CPU time.
  testbed::ChildExit stop() { return process_->stop(); }

 private:
  fs::path log_;
  std::string command_;
  std::unique_ptr<testbed::ChildProcess> process_;
  unsigned short port_ = 0;
};

struct HandshakeResults {
  std::vector<HandshakeSamples> samples;  // unsigned, signed
  std::vector<double> listener_cpu_ms;    // per connection, warm-up included
  std::vector<std::string> commands;
};

Report build_report(const HandshakeOptions& o, const HandshakeResults& r) {
  const auto& w = o.workload;
  Report report{"handshake", "signed", "unsigned", {}, {}, {}, {}, {}, {}, {}};
  report.settings = {{"connections", w.connections}, {"concurrency", w.concurrency}, {"warm_up", w.warm_up},
                     {"rounds", w.rounds}, {"quick", o.output.quick}, {"path", "loopback"},
                     {"unsigned_listener", r.commands[0]}, {"signed_listener", r.commands[1]}};
  report.testbed = "loopback; " + std::to_string(w.connections) + " connections per listener, " +
                   std::to_string(w.concurrency) + " at once";
  const auto unsigned_ms = summarize(r.samples[0].connect_ms), signed_ms = summarize(r.samples[1].connect_ms);
  const std::string baseline = "a listener without --key, clients without --peer-key";
  const auto rate = [&](const HandshakeSamples& s) { return static_cast<double>(s.connect_ms.size()) / s.seconds; };
  report.add({"connections_per_second", "connections/s", "1/s", rate(r.samples[1]), rate(r.samples[0]), baseline,
              "connections per second"});
  report.add({"connect_latency_p50", "connect latency p50", "ms", signed_ms.p50, unsigned_ms.p50, baseline,
              "connect latency (ms)"});
  report.add({"connect_latency_p99", "connect latency p99", "ms", signed_ms.p99, unsigned_ms.p99, baseline,
              "connect latency (ms)"});
  report.add({"signature_latency", "added by the signature (p50 difference)", "ms", signed_ms.p50 - unsigned_ms.p50,
              std::nullopt, "", "connect latency (ms)"});
  report.add({"listener_cpu_per_connection", "listener CPU per connection", "ms", r.listener_cpu_ms[1],
              r.listener_cpu_ms[0], baseline, "listener CPU per connection (ms)"});
  report.notes.push_back("each connection: connect, send 17 bytes, half-close, wait for the listener's close; " +
                         std::to_string(w.concurrency) + " at once, in " + std::to_string(w.rounds) +
                         " alternating batches per listener after " + std::to_string(w.warm_up) + " untimed each");
  report.notes.push_back("connections/s: the timed connections over their batches' wall time; listener CPU from "
                         "wait4, warm-up included");
  return report;
}

int run_handshake(const HandshakeOptions& o) {
  testbed::catch_interruptions();
  const auto& w = o.workload;
  const auto mcat = find_project_tool("mcat", o.mcat_path);
  Progress progress("handshake", 3);
  const testbed::TemporaryDirectory scratch("mbench-handshake");
  progress.step("a new key, and two listeners (mcat -l -k, one with --key)");
  const auto key_file = scratch.path() / "listener.key";
  const auto key = names::generate_signing_key();
  if (auto ec = names::save_key_file(key_file, key)) throw std::runtime_error(key_file.string() + ": " + ec.message());
  Listener plain(mcat, scratch.path() / "unsigned.log", std::nullopt);
  Listener signing(mcat, scratch.path() / "signed.log", key_file);
  std::vector<HandshakeTarget> targets{{"unsigned", "127.0.0.1", plain.port(), {}},
                                       {"signed", "127.0.0.1", signing.port(), {}}};
  targets[1].options.peer_key = key.public_key;

  progress.step(std::to_string(w.connections) + " connections to each, " + std::to_string(w.concurrency) +
                " at once, in " + std::to_string(w.rounds) + " alternating batches");
  HandshakeResults results;
  {
    const ProgressBar bar("connections", 2ull * w.connections);
    results.samples = measure_handshakes(targets, w, [&bar](unsigned done) { bar.show(done); });
  }
  progress.step("stopping the listeners");
  for (auto* listener : {&plain, &signing}) {
    const auto exit = listener->stop();
    results.listener_cpu_ms.push_back(1000.0 * exit.cpu_seconds() / (w.connections + w.warm_up));
    results.commands.push_back(listener->command());
  }
  for (std::size_t i = 0; i < targets.size(); ++i)
    log::tool()->info("{}: {} connections in {:.3f}s", targets[i].name, results.samples[i].connect_ms.size(),
                      results.samples[i].seconds);
  write_outputs(build_report(o, results), o.output);
  return kExitOk;
}

}  // namespace

int run_handshake_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_handshake, run_handshake);
}

}  // namespace msocket::mbench
