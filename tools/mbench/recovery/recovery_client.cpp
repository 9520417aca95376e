// mbench recovery client (the paper's Fig. 7): one connection by address,
// the server echoing a paced stream; the client's address moves (on the
// emulator's TUN device) `moves` times, and each recovery is read from the
// client's statistics and from the time of its `migrated` line.
#include <algorithm>

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
  testbed::ChildProcess server(testbed::in_namespace(testbed.server_namespace(),
                                                    {programs.mcat.string(), "-l", "-v", "-p", kPort, "-c", "cat"}),
                      {-1, -1, server_log});
  testbed::wait_for_lines(server_log, "listening on ", 1, server, 10s);

  PacedFeed feed(1, kClientChunk, kClientChunkInterval);
  const auto server_address = testbed.server_address();
  testbed::ChildProcess client(testbed::in_namespace(testbed.client_namespace(),
                                                    {programs.mcat.string(), "-v", "--stats", stats_file.string(),
                                                     server_address, kPort}),
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

  const auto stats = finish_echo(feed, {server, server_log, client, client_log, stats_file}, c, "moves");
  for (const auto& cause : stats.causes)
    if (cause != "client-move") throw std::runtime_error("a client move was reported as cause " + cause);
  samples.recovery_ms = stats.recovery_ms;
  return samples;
}

}  // namespace msocket::mbench
