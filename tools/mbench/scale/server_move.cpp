#include "scale/server_move.hpp"

#include <signal.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "common/project_tools.hpp"
#include "testbed/child_process.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"
#include "testbed/moving_address_testbed.hpp"
#include "testbed/namespaces.hpp"
#include "testbed/process_status.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

constexpr unsigned short kPort = 7000;
constexpr unsigned kConcurrency = 32;  // handshakes at once: the listener's limit per source

std::unique_ptr<testbed::ChildProcess> start_in(const std::string& ns, std::vector<std::string> argv,
                                                const fs::path& log) {
  return std::make_unique<testbed::ChildProcess>(testbed::in_namespace(ns, std::move(argv)),
                                                 testbed::ChildStreams{-1, -1, log});
}

// "round 2: 998 exact echoes of 1000 connections" -> 998.
unsigned exact_echoes_in(const std::string& line) {
  const auto at = line.find("round ");
  unsigned round = 0, exact = 0;
  if (at == std::string::npos || std::sscanf(line.c_str() + at, "round %u: %u exact", &round, &exact) != 2)
    throw std::runtime_error("mbench scale-connect said something unexpected: " + line);
  return exact;
}

std::string ms_text(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", ms);
  return text;
}

}  // namespace

ServerMoveResult measure_server_move(const ServerMovePlan& plan, Progress& progress) {
  const auto n = plan.connections;
  ServerMoveResult r;
  r.connections = n;
  r.rtt = plan.rtt;
  progress.step("server move: " + std::to_string(n) + " connections, RTT " + std::to_string(plan.rtt.count()) + " ms, " +
                std::to_string(plan.moves) + " move(s)");
  testbed::MovingAddressTestbed testbed(testbed_names(), plan.rtt, link_emulator_command(), plan.logs);
  if (plan.fast_open)
    testbed::run_command(testbed::in_namespace(testbed.server_namespace(),
                                               {"sysctl", "-q", "-w", "net.ipv4.tcp_fastopen=3"}));
  const auto listener_log = plan.logs / "listener.log";
  const auto client_log = plan.logs / "clients.log";
  auto listener = start_in(testbed.server_namespace(),
                           {plan.mbench.string(), "-v", "scale-listen", "--listen", "0.0.0.0:" + std::to_string(kPort)},
                           listener_log);
  testbed::wait_for_lines(listener_log, "listening on ", 1, *listener, 10s);
  const auto started = Clock::now();
  auto clients = start_in(testbed.client_namespace(),
                          {plan.mbench.string(), "-v", "scale-connect", "--to",
                           testbed.server_address() + ":" + std::to_string(kPort), "--connections", std::to_string(n),
                           "--concurrency", std::to_string(kConcurrency), "--echo"},
                          client_log);
  const auto connect_deadline = 60s + n * (plan.rtt / kConcurrency) * 8;
  const auto ready = testbed::wait_for_lines(client_log, "ready ", 1, *clients,
                                             std::chrono::duration_cast<std::chrono::milliseconds>(connect_deadline));
  if (ready.front().text.find("ready " + std::to_string(n) + " connections, " + std::to_string(n) + " exact") ==
      std::string::npos)
    throw std::runtime_error("not every connection was ready: " + ready.front().text);
  r.connect_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const auto settle = std::max<std::chrono::milliseconds>(1s, 5 * plan.rtt);
  testbed::pause_for(settle);

  const auto deadline = 20s + 20 * plan.rtt;
  // CPU seconds of the listener, the clients and the emulator, so far.
  const auto cpu_now = [&] {
    return std::array{testbed::read_process_cpu_seconds(listener->pid()),
                      testbed::read_process_cpu_seconds(clients->pid()),
                      testbed::read_process_cpu_seconds(testbed.emulator_pid())};
  };
  for (unsigned move = 1; move <= plan.moves; ++move) {
    const auto from = testbed.server_address();
    const auto cpu_before = cpu_now();
    const auto moved_at = testbed.move_server();
    const auto lines = testbed::wait_for_lines(client_log, "migrated conn=", std::size_t{n} * move, *clients, deadline);
    const auto cpu_after = cpu_now();
    r.listener_cpu_ms.push_back((cpu_after[0] - cpu_before[0]) * 1000);
    r.clients_cpu_ms.push_back((cpu_after[1] - cpu_before[1]) * 1000);
    r.emulator_cpu_ms.push_back((cpu_after[2] - cpu_before[2]) * 1000);
    std::vector<double> seen;
    for (std::size_t i = std::size_t{n} * (move - 1); i < std::size_t{n} * move; ++i)
      seen.push_back(testbed::milliseconds_until(moved_at, lines[i]));
    r.migrated_ms.insert(r.migrated_ms.end(), seen.begin(), seen.end());
    const auto noticed = testbed::wait_for_lines(listener_log, " removed: ", move, *listener, 5s);
    r.noticed_ms.push_back(testbed::milliseconds_until(moved_at, noticed[move - 1]));
    const auto acked = testbed::read_lines_with(listener_log, "every RECONNECT acknowledged");
    if (acked.size() >= move) r.acked_ms.push_back(testbed::milliseconds_until(moved_at, acked[move - 1]));
    // Every connection carries data again, exactly.
    ::kill(clients->pid(), SIGUSR1);
    const auto round = testbed::wait_for_lines(client_log, "exact echoes of", move, *clients, deadline);
    r.exact_after.push_back(exact_echoes_in(round[move - 1].text));
    const auto [low, high] = std::minmax_element(seen.begin(), seen.end());
    progress.note("  move " + std::to_string(move) + ": server " + from + " -> " + testbed.server_address() + ", noticed " +
                  ms_text(r.noticed_ms.back()) + " ms after ip(8); migrated " + ms_text(*low) + " to " + ms_text(*high) +
                  " ms after it; " + std::to_string(r.exact_after.back()) + " of " + std::to_string(n) +
                  " echoes exact; CPU ms: listener " + ms_text(r.listener_cpu_ms.back()) + ", clients " +
                  ms_text(r.clients_cpu_ms.back()) + ", link emulator " + ms_text(r.emulator_cpu_ms.back()));
    if (r.exact_after.back() != n)
      throw std::runtime_error(std::to_string(n - r.exact_after.back()) + " connections did not echo exactly after move " +
                               std::to_string(move));
    testbed::pause_for(settle);
  }
  clients->stop();
  listener->stop();
  return r;
}

}  // namespace msocket::mbench
