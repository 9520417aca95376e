// What a connection has done so far: bytes, flowpaths and migrations
// (msocket::stream::stats(), mcat --stats).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "msocket/types.hpp"

namespace msocket {

// Why a flowpath was migrated (reported in --stats).
// server-move: the peer told us (RECONNECT) or its name changed; simultaneous:
// both ends moved during one outage.
enum class MigrationCause { client_move, server_move, simultaneous, path_failure, application };
// "client-move", "server-move", "simultaneous", "path-failure", "application".
const char* to_string(MigrationCause cause);

struct Migration {
  MigrationCause cause;
  std::chrono::nanoseconds recovery{};  // from the moment a move could start to the new path being up
  std::chrono::nanoseconds outage{};    // from the loss of the old path to the new path being up
  PathId path{};
};

// One flowpath's share of a connection (--stats), over its whole life.
struct PathStats {
  PathId path{};
  std::string local;   // "IP:PORT" of its latest socket
  std::string remote;
  std::uint64_t bytes_sent = 0;      // payload, re-sends included
  std::uint64_t bytes_received = 0;  // payload
  std::chrono::nanoseconds rtt{};    // smoothed, from PING/PONG; zero if none yet
  bool live = false;
};

struct Stats {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t flowpaths_opened = 0;
  std::vector<Migration> migrations;
  std::vector<PathStats> paths;
};

}  // namespace msocket
