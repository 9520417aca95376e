// Options and statistics of an msocket connection, as the transport sees them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "session/types.hpp"

namespace msocket::transport {

using namespace std::chrono_literals;

struct Options {
  session::Config session;
  std::optional<boost::asio::ip::address> source;  // bind the first flowpath here (-s)
  Duration connect_timeout = 10s;    // one TCP connect attempt
  Duration handshake_timeout = 10s;  // SETUP -> SETUP_ACK
  Duration retry_min = 25ms;         // first pause between migration attempts
  Duration retry_max = 2s;           // longest pause between migration attempts
  bool follow_addresses = true;      // watch rtnetlink and move when our address goes
};

// Why a flowpath was migrated (reported in --stats).
enum class MigrationCause { client_move, path_failure, application };
const char* to_string(MigrationCause cause);

struct Migration {
  MigrationCause cause;
  double recovery_ms = 0;  // from the moment a move could start to the new path being up
  double outage_ms = 0;    // from the loss of the old path to the new path being up
  PathId path{};
};

struct Stats {
  std::uint64_t bytes_sent = 0;
  std::uint64_t bytes_received = 0;
  std::uint64_t flowpaths_opened = 0;
  std::vector<Migration> migrations;
};

}  // namespace msocket::transport
