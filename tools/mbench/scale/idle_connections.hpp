// One point of `mbench scale`: `connections` idle msocket connections
// between one listener process (mcat -l -k, or the library's acceptor in
// mbench scale-listen) and client processes (mbench scale-connect, at most
// kMostPerClient connections each, from 127.0.0.10 on), all on loopback.
// The listener's resident memory is read once it listens and again after
// the connections have settled idle; the clients' before they connect and
// after; then the CPU of both over an idle window, which is what their
// keepalives cost.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>

#include "common/progress.hpp"
#include "testbed/process_status.hpp"

namespace msocket::mbench {

enum class ScaleListener { mcat, acceptor };

// "mcat", "acceptor".
std::string to_string(ScaleListener listener);

struct IdleConnectionsPlan {
  ScaleListener listener = ScaleListener::mcat;
  unsigned connections = 1000;
  std::filesystem::path mcat, mbench;
  std::filesystem::path scratch;  // the processes' logs, mcat's output
  std::size_t message_size = 100;  // each connection's one message (echoed by the acceptor)
  // After the last connection is ready, before memory is read: what a busy
  // connection held goes back after about a second idle.
  std::chrono::milliseconds settle{4000};
  std::chrono::milliseconds cpu_window{5000};  // CPU is measured over this much idle time
};

struct IdleConnectionsResult {
  unsigned connections = 0;
  unsigned client_processes = 0;
  unsigned exact_echoes = 0;                          // acceptor: checked by the clients
  unsigned refusals = 0;                              // "not accepting now", each connect tried again
  std::uint64_t bytes_received = 0;                   // mcat: what it wrote out
  testbed::ProcessMemory listener_before, listener_after;
  testbed::ProcessMemory clients_before, clients_after;  // summed over the client processes
  std::size_t listener_descriptors = 0;               // open once the connections are idle
  double connect_seconds = 0;                         // from starting the clients to the last ready
  double cpu_window_seconds = 0;
  double listener_cpu_seconds = 0, clients_cpu_seconds = 0;  // over the window

  double listener_kib_per_connection() const;
  double listener_anonymous_kib_per_connection() const;
  double client_kib_per_connection() const;
  double client_anonymous_kib_per_connection() const;
  // CPU while idle, in ms per second, per 1000 connections.
  double listener_cpu_per_thousand() const;
  double client_cpu_per_thousand() const;
};

// The most connections one client process holds (its descriptors).
inline constexpr unsigned kMostPerClient = 5000;

// Runs one point (two steps of `progress`). Throws std::runtime_error with
// the tail of the failing process's log, or naming RLIMIT_NOFILE when the
// listener's connections cannot fit under the hard limit of open files;
// testbed::Interrupted on SIGINT or SIGTERM. Every process is stopped on
// the way out.
IdleConnectionsResult measure_idle_connections(const IdleConnectionsPlan& plan, Progress& progress);

}  // namespace msocket::mbench
