// A deterministic simulation of one msocket connection: a client and a
// server Session joined by the virtual network of sim_network.hpp, driven in
// virtual time from one seed. The transport around each session is modelled
// on docs/protocol.md §3 (what a real transport must do); the applications
// write and read random amounts, the network kills flowpaths, the client
// migrates, and both sides close at random moments.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "session/session.hpp"

namespace msocket::sim {

using namespace std::chrono_literals;

struct Limits {
  std::uint64_t max_steps = 2'000'000;  // events and timer firings
  Duration max_virtual_time = 30min;
};

struct Outcome {
  bool ok = false;
  std::string failure;  // the first thing that went wrong, with the virtual time
  std::uint64_t steps = 0;
  Duration virtual_time{};
  std::uint64_t bytes_up = 0;    // client to server, all delivered
  std::uint64_t bytes_down = 0;  // server to client, all delivered
  int connections = 0;           // TCP connections the client opened
  int kills = 0;                 // connections the network killed
  int extra_paths = 0;           // connections opened beside a live one (multipath)
  int reused_ids = 0;            // MIGRATEs that kept the old path id
  int closed_answers = 0;        // SETUP_ACK `closed`: the server had already let go
  int closures_after_move = 0;   // sides that reached time_wait after a migration
  // When the client's application had read the server's whole stream.
  std::optional<Duration> download_done;
  // Scripted runs: the server's paths as --stats would report them, at the end.
  std::vector<session::PathReport> server_paths;
};

// Runs the whole connection, from the first SETUP until both sessions are
// closed and both applications have read everything. Never throws; a
// violated expectation ends the run with ok == false.
Outcome simulate(std::uint64_t seed, const Limits& limits = {});

// ---- scripted multipath runs (sim_scenario.cpp) ----------------------------

// One flowpath: a TCP connection whose two directions each have this rate
// and half the round trip as delay.
struct PathSpec {
  double mbit_per_second = 0;
  Duration rtt{};
};

// At `at` (from the start of the run), path `path` fails (the network drops
// what it carries, both ends learn it at once) or stalls for good (nothing
// more crosses either way, neither end is told).
struct PathEvent {
  enum class Kind { fail, stall };
  std::size_t path = 0;
  Duration at{};
  Kind kind = Kind::fail;
};

// The client opens every path at time 0 (path ids 0, 1, ... in order); the
// server's application writes `bytes` at `write_at` (every path is up by
// then) as fast as the session takes them, and both sides close. Both
// sessions use `config`.
struct Scenario {
  std::vector<PathSpec> paths;
  std::uint64_t bytes = 16ull << 20;
  session::Config config;
  bool tcp_feedback = true;  // the transports report TCP acks (Session::path_delivered)
  std::vector<PathEvent> events;
  Duration write_at = 1s;
  Limits limits{};
};

// Runs a scripted connection to its end; like simulate, every byte is
// checked and both sessions must close.
Outcome simulate(const Scenario& scenario);

}  // namespace msocket::sim
