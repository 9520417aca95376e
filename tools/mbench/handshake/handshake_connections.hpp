// The client side of `mbench handshake`: NEW connections driven in-process
// through msocket::async_connect (a process per connection would measure
// fork and exec more than the handshake). Each connection connects, sends a
// few bytes, half-closes and waits until the listener has closed too; a pool
// of workers keeps `concurrency` of them going at once.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "msocket/options.hpp"

namespace msocket::mbench {

// A listener to connect to, and how.
struct HandshakeTarget {
  std::string name;  // "unsigned", "signed": for progress and errors
  std::string address = "127.0.0.1";
  unsigned short port = 0;
  Options options;  // the client's: peer_key set for a signing listener
};

struct HandshakeWorkload {
  unsigned connections = 300;  // timed, per target
  unsigned concurrency = 4;
  unsigned warm_up = 4;        // per target, before the timing, not counted
  unsigned rounds = 6;         // the connections of each target in this many batches, alternating targets
  std::chrono::seconds timeout{120};
};

struct HandshakeSamples {
  std::vector<double> connect_ms;  // from the start of async_connect to its completion, one per connection
  double seconds = 0;              // the timed batches' wall time, from the first start to the last close
};

// Called after each connection with the count done so far (all targets).
using HandshakeProgress = std::function<void(unsigned done)>;

// Runs the workload against each target (the batches of the targets
// alternate, first one then the other, so load from elsewhere falls on
// both alike). Throws std::runtime_error naming the target if a connection
// fails or the timeout passes; testbed::Interrupted on SIGINT or SIGTERM.
std::vector<HandshakeSamples> measure_handshakes(const std::vector<HandshakeTarget>& targets,
                                                 const HandshakeWorkload& workload, const HandshakeProgress& progress);

}  // namespace msocket::mbench
