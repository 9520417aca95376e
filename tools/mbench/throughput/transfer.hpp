// One timed transfer for `mbench throughput`: a receiver that listens and
// writes what arrives to its stdout, a sender that connects and sends its
// stdin, both child processes (mcat, or socat for plain TCP). mbench feeds
// the sender's stdin and drains the receiver's stdout itself, through pipes,
// so both tools see the same shape of work (pipe in, socket, pipe out) and
// the bytes that arrive are counted, not assumed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "session/types.hpp"
#include "testbed/child_process.hpp"

namespace msocket::mbench {

class Progress;

// How to run the two ends with one tool.
struct TransferTool {
  std::string name;  // "msocket", "tcp"
  std::string description;  // "mcat", "socat -b 131072"
  // Listens on ADDRESS, a port of the kernel's choice, announced on stderr as
  // "listening on ADDRESS:PORT"; writes what arrives to stdout.
  std::function<std::vector<std::string>(const std::string& address)> receiver;
  // Connects to ADDRESS:PORT and sends its stdin until end of file.
  std::function<std::vector<std::string>(const std::string& address, unsigned short port)> sender;
  // When not empty: the receiver is ready for the sender only once it has
  // also logged this (a listener behind a relay: its name is registered).
  std::string ready_line;
};

struct TransferPlan {
  std::uint64_t bytes = 0;
  std::string receiver_address = "127.0.0.1";
  std::optional<std::string> sender_namespace, receiver_namespace;  // run there, with `ip netns exec`
  std::filesystem::path log_dir;  // the ends' stderr: NAME-sender.log, NAME-receiver.log
  Duration timeout = std::chrono::minutes(2);
  // Called about twice a second with the bytes received so far.
  std::function<void(std::uint64_t received)> on_progress;
};

struct TransferResult {
  double seconds = 0;  // the first byte out of the receiver .. the last
  std::uint64_t timed_bytes = 0;  // what arrived in those seconds (all but the first read)
  std::uint64_t bytes = 0;        // all that arrived
  testbed::ChildExit sender, receiver;
};

// Runs one transfer. Throws std::runtime_error (with the failing end's
// stderr) if an end fails, fewer bytes arrive than were sent, or the
// timeout passes; Interrupted on SIGINT or SIGTERM. Both ends are stopped
// in every case.
TransferResult run_transfer(const TransferTool& tool, const TransferPlan& plan);

// `runs` transfers with each tool, the odd runs in the opposite order (so
// that neither tool always goes first), each announced on `progress` and
// shown by a progress bar. Returns each tool's results, in the tools'
// order. Throws as run_transfer does.
std::vector<std::vector<TransferResult>> run_alternating(const std::vector<TransferTool>& tools, TransferPlan plan,
                                                         unsigned runs, Progress& progress);

inline constexpr double kMiB = 1024.0 * 1024.0, kGiB = kMiB * 1024.0;

// The median over the runs of one figure of their transfers.
double median_of(const std::vector<TransferResult>& runs, double (*figure)(const TransferResult&));

}  // namespace msocket::mbench
