// mbench recovery client (the paper's Fig. 7): one connection by address
// (or by name through a relay, --relay), the server echoing a paced stream;
// the client's address moves (on the emulator's TUN device) `moves` times,
// and each recovery is read from the client's statistics and from the
// time of its `migrated` line.
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

constexpr const char* kPort = "7000";
constexpr std::size_t kClientChunk = 1024;
constexpr auto kClientChunkInterval = 50ms;

// Time for data to flow again between moves, and the longest wait for one recovery.
std::chrono::milliseconds settle_time(std::chrono::milliseconds rtt) { return std::max<std::chrono::milliseconds>(500ms, 5 * rtt); }
std::chrono::milliseconds recovery_deadline(std::chrono::milliseconds rtt) { return 10s + 20 * rtt; }

}  // namespace

ClientMoveSamples measure_client_moves(testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs,
                                       const RecoveryCase& c, Progress& progress) {
  const auto server_log = programs.log_dir / "server.log", client_log = programs.log_dir / "client.log";
  const auto stats_file = programs.log_dir / "client.json";
  // Relayed: the server's name is reserved on a relay in the router, and
  // the client goes by name, so its every flowpath crosses the relay.
  std::unique_ptr<RouterNameService> names;
  std::unique_ptr<RouterRelay> relay;
  if (programs.relayed()) {
    names = std::make_unique<RouterNameService>(testbed, programs);
    relay = std::make_unique<RouterRelay>(testbed, programs, *names);
  }
  auto server = start_echo_server(testbed, programs, names.get(), relay.get(), {}, server_log);

  PacedFeed feed(1, kClientChunk, kClientChunkInterval);
  std::vector<std::string> client_command{programs.mcat.string(), programs.mcat_verbosity, "--stats", stats_file.string()};
  if (names)
    client_command.insert(client_command.end(), {"--names", names->url(), "srv"});
  else
    client_command.insert(client_command.end(), {testbed.server_address(), kPort});
  testbed::ChildProcess client(testbed::in_namespace(testbed.client_namespace(), client_command),
                               {feed.read_end(0), -1, client_log});
  feed.close_read_end(0);
  testbed::wait_for_lines(client_log, "connected to ", 1, client, 10s + 10 * c.rtt);
  feed.start();
  testbed::pause_for(settle_time(c.rtt));

  ClientMoveSamples samples;
  for (unsigned move = 1; move <= c.moves; ++move) {
    const auto from = testbed.client_address();
    const auto started = testbed.move_client();
    const auto lines = testbed::wait_for_lines(client_log, "migrated conn=", move, client, recovery_deadline(c.rtt));
    samples.seen_ms.push_back(testbed::milliseconds_until(started, lines[move - 1]));
    progress.note("  move " + std::to_string(move) + " of " + std::to_string(c.moves) + ": client " + from + " -> " +
                  testbed.client_address() + ", migrated " + milliseconds_text(samples.seen_ms.back()) +
                  " ms after the move");
    testbed::pause_for(settle_time(c.rtt));
  }

  const auto stats = finish_echo(feed, {*server, server_log, client, client_log, stats_file}, c, "moves");
  for (const auto& cause : stats.causes)
    if (cause != "client-move") throw std::runtime_error("a client move was reported as cause " + cause);
  samples.recovery_ms = stats.recovery_ms;
  return samples;
}

}  // namespace msocket::mbench
