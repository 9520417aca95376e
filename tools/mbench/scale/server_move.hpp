// `mbench scale --server-move`: the listener moves with a thousand
// connections on it. The library's acceptor (mbench scale-listen, which
// echoes) in the server's namespace of the recovery testbed
// (testbed/moving_address_testbed.hpp, the RTT emulated between the client
// and the router), one client process (mbench scale-connect) holding
// `connections` connections to it by address. The server's address moves
// `moves` times (ip(8)); for each connection, the time from the ip command
// to its `migrated` line; after each move every connection echoes once
// more and must come back exact. The listener's log gives when it noticed
// the move and when every RECONNECT was acknowledged; /proc, the CPU each
// process spent on the move.
#pragma once

#include <chrono>
#include <filesystem>
#include <vector>

#include "common/progress.hpp"

namespace msocket::mbench {

struct ServerMovePlan {
  unsigned connections = 1000;
  std::chrono::milliseconds rtt{100};
  unsigned moves = 3;
  bool fast_open = false;  // net.ipv4.tcp_fastopen=3 in the server's namespace
  std::filesystem::path mbench;
  std::filesystem::path logs;  // the processes' logs
};

struct ServerMoveResult {
  unsigned connections = 0;
  std::chrono::milliseconds rtt{};
  std::vector<double> migrated_ms;  // per connection and move: ip(8) to the client's `migrated` line
  std::vector<double> noticed_ms;   // per move: ip(8) to the listener's "address ... removed" line
  std::vector<double> acked_ms;     // per move: ip(8) to "every RECONNECT acknowledged" (when it came)
  std::vector<unsigned> exact_after;  // per move: connections whose echo after it came back exact
  // Per move, from the ip command to the last `migrated` line: the CPU
  // (user + system, ms) of the listener, of the client process and of the
  // link emulator, which share the machine's cores.
  std::vector<double> listener_cpu_ms, clients_cpu_ms, emulator_cpu_ms;
  double connect_seconds = 0;
};

// Throws std::runtime_error, with the failing process's log, when a process
// fails or a deadline passes (a connection that never migrates);
// testbed::Interrupted on SIGINT or SIGTERM. The testbed and every process
// are removed on the way out.
ServerMoveResult measure_server_move(const ServerMovePlan& plan, Progress& progress);

}  // namespace msocket::mbench
