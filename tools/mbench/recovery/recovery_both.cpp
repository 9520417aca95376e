// mbench recovery both (the paper's Fig. 9, compressed to seconds): one
// connection by name; both ends lose their addresses at once, so no path is
// left and neither knows where the other goes. The client gets a new address
// first; the server gets its new one once the client's retries have slowed
// down to rho (they start 25 ms apart and double), and registers it. The
// recovery is timed, as in the paper, from the moment both are back: the
// server's new address.
#include <algorithm>

#include "core/log.hpp"
#include "recovery/namespace_lookup.hpp"
#include "recovery/paced_feed.hpp"
#include "recovery/recovery_processes.hpp"
#include "recovery/recovery_scenarios.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"
#include "testbed/namespaces.hpp"

using namespace std::chrono_literals;

namespace msocket::mbench {

namespace {

constexpr std::size_t kBothChunk = 1024;
constexpr auto kBothChunkInterval = 50ms;
constexpr unsigned kLookups = 5;
std::string mode_text(bool watch) { return watch ? "watch" : "no watch"; }

struct MoveTiming {
  double recovery_ms = 0;  // the server's new address to the client's `migrated` line
  double update_ms = 0;    // the server's new address to its `registered` line
};

// Move number `move`: both off the network, the client back, then the server;
// waits for the server's registration and the client's migration.
MoveTiming move_both(testbed::MovingAddressTestbed& testbed, testbed::ChildProcess& server, const std::filesystem::path& server_log,
                     testbed::ChildProcess& client, const std::filesystem::path& client_log, unsigned move,
                     const RecoveryCase& c, std::chrono::milliseconds rho) {
  testbed.drop_client();
  testbed.drop_server();
  testbed::pause_for(kClientAway);
  testbed.attach_client();
  testbed::pause_for(server_away(rho));
  const auto server_back = testbed.attach_server();
  const auto registered =
      testbed::wait_for_lines(server_log, "registered srv at " + testbed.server_address() + ":", 1, server, 10s + 10 * c.rtt);
  // Generous: a client may try each address the server had before, each
  // until its connect timeout (10 s), before it asks the name service.
  const auto migrated = testbed::wait_for_lines(client_log, "migrated conn=", move, client, 60s + move * 10s + 3 * rho + 20 * c.rtt);
  return {testbed::milliseconds_until(server_back, migrated[move - 1]), testbed::milliseconds_until(server_back, registered.front())};
}

}  // namespace

// Backoff from 25 ms doubling up to rho sums to less than 2 rho: after that
// the client retries every rho, and the server's return falls anywhere in
// such an interval, as in the paper.
std::chrono::milliseconds server_away(std::chrono::milliseconds rho) { return 2 * rho + 1s; }

BothMoveSamples measure_both_moves(testbed::MovingAddressTestbed& testbed, const RecoveryPrograms& programs, const RecoveryCase& c,
                                   std::chrono::milliseconds rho, bool watch, Progress& progress) {
  const RouterNameService names(testbed, programs);
  const auto server_log = programs.log_dir / "server.log", client_log = programs.log_dir / "client.log";
  const auto stats_file = programs.log_dir / "client.json";
  testbed::ChildProcess server(testbed::in_namespace(testbed.server_namespace(),
                                                    {programs.mcat.string(), "-l", programs.mcat_verbosity, "--names", names.url(), "--name",
                                                     "srv", "--key", names.key_file().string(), "-p", "7000", "-c", "cat"}),
                      {-1, -1, server_log});
  testbed::wait_for_lines(server_log, "registered srv at " + testbed.server_address() + ":", 1, server, 10s);

  BothMoveSamples samples;
  samples.lookup_ms = time_lookups_in_namespace(testbed.client_namespace(), names::parse_server_url(names.url()).value(),
                                                "srv", kLookups);

  PacedFeed feed(1, kBothChunk, kBothChunkInterval);
  std::vector<std::string> client_argv{programs.mcat.string(), programs.mcat_verbosity, "--names", names.url(), "--retry-interval",
                                       std::to_string(rho.count()) + "ms", "--stats", stats_file.string()};
  if (!watch) client_argv.push_back("--no-watch");
  client_argv.push_back("srv");
  testbed::ChildProcess client(testbed::in_namespace(testbed.client_namespace(), client_argv),
                      {feed.read_end(0), -1, client_log});
  feed.close_read_end(0);
  testbed::wait_for_lines(client_log, "connected to ", 1, client, 10s + 10 * c.rtt);
  feed.start();
  const auto settle = std::max<std::chrono::milliseconds>(500ms, 5 * c.rtt);
  testbed::pause_for(settle);

  for (unsigned move = 1; move <= c.moves; ++move) {
    const auto timing = move_both(testbed, server, server_log, client, client_log, move, c, rho);
    samples.recovery_ms.push_back(timing.recovery_ms);
    samples.update_ms.push_back(timing.update_ms);
    samples.after_registration_ms.push_back(timing.recovery_ms - timing.update_ms);
    progress.note("  move " + std::to_string(move) + " of " + std::to_string(c.moves) + " (rho " +
                  std::to_string(rho.count()) + " ms, " + mode_text(watch) + "): client -> " +
                  testbed.client_address() + ", server -> " + testbed.server_address() + "; registered after " +
                  milliseconds_text(timing.update_ms) + " ms, client migrated " +
                  milliseconds_text(timing.recovery_ms) + " ms after the server's return");
    testbed::pause_for(settle);
  }

  const auto stats = finish_echo(feed, {server, server_log, client, client_log, stats_file}, c, "moves of both ends");
  samples.stats_recovery_ms = stats.recovery_ms;
  return samples;
}

}  // namespace msocket::mbench
