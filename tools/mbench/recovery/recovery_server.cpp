// mbench recovery server (the paper's Fig. 8): a keep-open server registered
// as "srv" in mnamed (or reserved under it on a relay, --relay),
// `connections` clients connected to it by name, each
// with a paced stream the server echoes; the server's address moves `moves`
// times and every client's recovery is read from its statistics and from
// the time of its `migrated` line.
#include <algorithm>
#include <memory>

#include "core/log.hpp"
#include "recovery/paced_feed.hpp"
#include "recovery/recovery_processes.hpp"
#include "recovery/recovery_scenarios.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"
#include "testbed/namespaces.hpp"

using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

constexpr std::size_t kServerChunk = 512;  // per client: 100 clients make 1 MiB/s each way
constexpr auto kServerChunkInterval = 50ms;

struct Client {
  std::filesystem::path log, stats;
  std::unique_ptr<testbed::ChildProcess> process;
};

std::vector<Client> start_clients(const testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs,
                                  const RouterNameService& names, PacedFeed& feed, unsigned connections) {
  std::vector<Client> clients(connections);
  for (unsigned i = 0; i < connections; ++i) {
    auto& c = clients[i];
    c.log = programs.log_dir / ("client" + std::to_string(i + 1) + ".log");
    c.stats = programs.log_dir / ("client" + std::to_string(i + 1) + ".json");
    c.process = std::make_unique<testbed::ChildProcess>(
        testbed::in_namespace(testbed.client_namespace(), {programs.mcat.string(), programs.mcat_verbosity, "--names", names.url(),
                                                                   "--stats", c.stats.string(), "srv"}),
        testbed::ChildStreams{feed.read_end(i), -1, c.log});
    feed.close_read_end(i);
  }
  return clients;
}

}  // namespace

ServerMoveSamples measure_server_moves(testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs,
                                       const RecoveryCase& c, unsigned connections, Progress& progress) {
  const RouterNameService names(testbed, programs);
  // Relayed: clients reach "srv" only through the relay; a move of the
  // server renews its control channel there, not its record.
  std::unique_ptr<RouterRelay> relay;
  if (programs.relayed()) relay = std::make_unique<RouterRelay>(testbed, programs, names);
  const auto server_log = programs.log_dir / "server.log";
  auto server_process = start_echo_server(testbed, programs, &names, relay.get(), {"-k"}, server_log);
  auto& server = *server_process;

  PacedFeed feed(connections, kServerChunk, kServerChunkInterval);
  auto clients = start_clients(testbed, programs, names, feed, connections);
  const auto connect_deadline = 20s + 10 * c.rtt;
  for (auto& client : clients) testbed::wait_for_lines(client.log, "connected to ", 1, *client.process, connect_deadline);
  feed.start();
  const auto settle = std::max<std::chrono::milliseconds>(1s, 5 * c.rtt);
  testbed::pause_for(settle);

  ServerMoveSamples samples;
  for (unsigned move = 1; move <= c.moves; ++move) {
    const auto from = testbed.server_address();
    const auto started = testbed.move_server();
    std::vector<double> seen;
    for (auto& client : clients) {
      const auto lines = testbed::wait_for_lines(client.log, "migrated conn=", move, *client.process, 20s + 20 * c.rtt);
      seen.push_back(testbed::milliseconds_until(started, lines[move - 1]));
    }
    if (!relay) testbed::wait_for_lines(server_log, "registered srv at " + testbed.server_address() + ":", 1, server, 10s);
    progress.note("  move " + std::to_string(move) + " of " + std::to_string(c.moves) + ": server " + from + " -> " +
                  testbed.server_address() + ", " + std::to_string(connections) + " clients migrated " +
                  milliseconds_text(*std::min_element(seen.begin(), seen.end())) + " to " +
                  milliseconds_text(*std::max_element(seen.begin(), seen.end())) + " ms after the move");
    samples.seen_ms.insert(samples.seen_ms.end(), seen.begin(), seen.end());
    testbed::pause_for(settle);
  }

  feed.finish();
  for (std::size_t i = 0; i < clients.size(); ++i) {
    auto& client = clients[i];
    expect_clean_exit(*client.process, "client " + std::to_string(i + 1), client.log, 20s + 10 * c.rtt);
    const auto stats = read_mcat_stats(client.stats);
    if (stats.recovery_ms.size() != c.moves)
      throw std::runtime_error("client " + std::to_string(i + 1) + " reports " + std::to_string(stats.recovery_ms.size()) +
                               " migrations for " + std::to_string(c.moves) + " moves of the server");
    // Through a relay the client sees its flowpath closed by the relay
    // (the server's control channel moved), not a RECONNECT.
    for (const auto& cause : stats.causes)
      if (cause != "server-move" && !(relay && cause == "path-failure"))
        throw std::runtime_error("a server move was reported as cause " + cause);
    if (stats.bytes_sent != static_cast<double>(feed.written(i)) || stats.bytes_received != stats.bytes_sent)
      throw std::runtime_error("client " + std::to_string(i + 1) + ": the echo lost bytes");
    samples.recovery_ms.insert(samples.recovery_ms.end(), stats.recovery_ms.begin(), stats.recovery_ms.end());
  }
  const auto server_exit = server.stop();
  log::tool()->info("server {}", server_exit.describe());
  return samples;
}

}  // namespace msocket::mbench
