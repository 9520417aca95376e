#include "scale/idle_connections.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/fd_limit.hpp"
#include "scale/scale_peers.hpp"
#include "testbed/child_process.hpp"
#include "testbed/files.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"

namespace msocket::mbench {

namespace {

using std::to_string;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

constexpr const char* kListenAddress = "127.0.0.1";
constexpr const char* kReady = "mbench scale-connect: ready ";

// The listener inherits mbench's hard limit and raises its soft limit to
// it (mcat and scale-listen both do): its connections must fit there.
void check_listener_limit(unsigned connections) {
  const auto hard = fd_limits().hard;
  const std::size_t needed = connections * kListenerDescriptorsPerConnection + 64;
  if (needed <= hard) return;
  throw std::runtime_error(to_string(connections) + " connections need about " + to_string(needed) +
                           " open files in the listener, above the hard limit of open files (RLIMIT_NOFILE, "
                           "ulimit -Hn) of " + to_string(hard) + ", which only a privileged process can raise");
}

std::unique_ptr<testbed::ChildProcess> start_listener(const IdleConnectionsPlan& plan, const fs::path& log,
                                                      const fs::path& output) {
  if (plan.listener == ScaleListener::acceptor)
    return std::make_unique<testbed::ChildProcess>(
        std::vector<std::string>{plan.mbench.string(), "scale-listen", "--listen", std::string(kListenAddress) + ":0"},
        testbed::ChildStreams{-1, -1, log});
  // mcat -l -k writes every connection's bytes to its standard output.
  const int out = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) throw std::runtime_error("cannot write " + output.string());
  auto child = std::make_unique<testbed::ChildProcess>(
      std::vector<std::string>{plan.mcat.string(), "-l", "-k", "-v", kListenAddress, "0"},
      testbed::ChildStreams{-1, out, log});
  ::close(out);  // the child has its own copy
  return child;
}

struct ReadyLine {
  unsigned connections = 0, exact = 0, refusals = 0;
  unsigned long long vmrss = 0, rssanon = 0;
};

ReadyLine parse_ready(const std::string& text) {
  ReadyLine r;
  const auto at = text.find(kReady);
  if (at == std::string::npos ||
      std::sscanf(text.c_str() + at + std::string(kReady).size(),
                  "%u connections, %u exact echoes, vmrss_before_kib=%llu rssanon_before_kib=%llu refusals=%u",
                  &r.connections, &r.exact, &r.vmrss, &r.rssanon, &r.refusals) != 5)
    throw std::runtime_error("mbench scale-connect said something unexpected: " + text);
  return r;
}

// mcat's output holds every connection's message: it has read them all.
void wait_for_output(const fs::path& output, std::uint64_t bytes, testbed::ChildProcess& listener) {
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (fs::exists(output) && fs::file_size(output) < bytes) {
    if (Clock::now() > deadline || listener.wait_for(std::chrono::milliseconds(0)))
      throw std::runtime_error("mcat wrote " + to_string(fs::file_size(output)) + " bytes of " + to_string(bytes));
    testbed::pause_for(std::chrono::milliseconds(50));
  }
}

testbed::ProcessMemory operator+(testbed::ProcessMemory a, const testbed::ProcessMemory& b) {
  a.resident_kib += b.resident_kib;
  a.anonymous_kib += b.anonymous_kib;
  return a;
}

}  // namespace

std::string to_string(ScaleListener listener) { return listener == ScaleListener::mcat ? "mcat" : "acceptor"; }

double IdleConnectionsResult::listener_kib_per_connection() const {
  return (static_cast<double>(listener_after.resident_kib) - static_cast<double>(listener_before.resident_kib)) /
         connections;
}
double IdleConnectionsResult::listener_anonymous_kib_per_connection() const {
  return (static_cast<double>(listener_after.anonymous_kib) - static_cast<double>(listener_before.anonymous_kib)) /
         connections;
}
double IdleConnectionsResult::client_kib_per_connection() const {
  return (static_cast<double>(clients_after.resident_kib) - static_cast<double>(clients_before.resident_kib)) /
         connections;
}
double IdleConnectionsResult::client_anonymous_kib_per_connection() const {
  return (static_cast<double>(clients_after.anonymous_kib) - static_cast<double>(clients_before.anonymous_kib)) /
         connections;
}
double IdleConnectionsResult::listener_cpu_per_thousand() const {
  return 1000.0 * listener_cpu_seconds / cpu_window_seconds / (connections / 1000.0);
}
double IdleConnectionsResult::client_cpu_per_thousand() const {
  return 1000.0 * clients_cpu_seconds / cpu_window_seconds / (connections / 1000.0);
}

IdleConnectionsResult measure_idle_connections(const IdleConnectionsPlan& plan, Progress& progress) {
  const auto n = plan.connections;
  check_listener_limit(n);
  const auto name = to_string(plan.listener) + "-" + to_string(n);
  const auto listener_log = plan.scratch / (name + "-listener.log");
  const auto output = plan.scratch / (name + ".out");
  IdleConnectionsResult r;
  r.connections = n;
  r.client_processes = (n + kMostPerClient - 1) / kMostPerClient;
  progress.step(to_string(plan.listener) + ": " + to_string(n) + " connections from " + to_string(r.client_processes) +
                " client process(es)");
  auto listener = start_listener(plan, listener_log, output);
  const auto port = testbed::wait_for_listening_port(listener_log, *listener);
  r.listener_before = testbed::read_process_memory(listener->pid());
  std::vector<std::unique_ptr<testbed::ChildProcess>> clients;
  std::vector<fs::path> client_logs;
  const auto start = Clock::now();
  for (unsigned i = 0; i < r.client_processes; ++i) {
    const unsigned share = n * (i + 1) / r.client_processes - n * i / r.client_processes;
    // A source address each: the listener admits 32 handshakes at once per source.
    std::vector<std::string> argv{plan.mbench.string(), "scale-connect", "--to", std::string(kListenAddress) + ":" +
                                  to_string(port), "--connections", to_string(share), "--message-size",
                                  to_string(plan.message_size), "--source", "127.0.0." + to_string(10 + i)};
    if (plan.listener == ScaleListener::acceptor) argv.push_back("--echo");
    client_logs.push_back(plan.scratch / (name + "-client" + to_string(i) + ".log"));
    clients.push_back(std::make_unique<testbed::ChildProcess>(argv, testbed::ChildStreams{-1, -1, client_logs.back()}));
  }
  const auto timeout = std::chrono::seconds(60) + n * std::chrono::milliseconds(20);
  for (unsigned i = 0; i < r.client_processes; ++i) {
    const auto lines = testbed::wait_for_lines(client_logs[i], kReady, 1, *clients[i],
                                               std::chrono::duration_cast<std::chrono::milliseconds>(timeout));
    const auto ready = parse_ready(lines.front().text);
    r.exact_echoes += ready.exact;
    r.refusals += ready.refusals;
    r.clients_before = r.clients_before + testbed::ProcessMemory{ready.vmrss, ready.rssanon};
  }
  r.connect_seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (plan.listener == ScaleListener::mcat) {
    wait_for_output(output, std::uint64_t{n} * plan.message_size, *listener);
    r.bytes_received = fs::file_size(output);
  }
  progress.step("all " + to_string(n) + " ready in " + std::to_string(r.connect_seconds).substr(0, 4) +
                " s; idle, then memory and CPU");
  testbed::pause_for(plan.settle);
  r.listener_after = testbed::read_process_memory(listener->pid());
  r.listener_descriptors = testbed::count_open_descriptors(listener->pid());
  for (const auto& c : clients) r.clients_after = r.clients_after + testbed::read_process_memory(c->pid());
  const auto cpu_of_clients = [&clients] {
    double total = 0;
    for (const auto& c : clients) total += testbed::read_process_cpu_seconds(c->pid());
    return total;
  };
  const double listener_cpu = testbed::read_process_cpu_seconds(listener->pid());
  const double clients_cpu = cpu_of_clients();
  const auto window_start = Clock::now();
  testbed::pause_for(plan.cpu_window);
  r.listener_cpu_seconds = testbed::read_process_cpu_seconds(listener->pid()) - listener_cpu;
  r.clients_cpu_seconds = cpu_of_clients() - clients_cpu;
  r.cpu_window_seconds = std::chrono::duration<double>(Clock::now() - window_start).count();
  for (auto& c : clients) c->stop();
  listener->stop();
  return r;
}

}  // namespace msocket::mbench
