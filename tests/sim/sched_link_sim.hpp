// A discrete-event model for the multipath scheduler (docs/scheduler.md §5),
// in virtual time and fully deterministic. The sender is a sched::Scheduler;
// each path is a FIFO link with a rate (serialization) and a one-way delay,
// carried by a TCP-like sender window fixed at kCwndBdps times the path's
// bandwidth-delay product. The receiver takes each chunk when its last byte
// arrives, keeps what is out of order, hands in-order bytes to the
// application at once and answers (acks are not rate-limited): the path's
// delivery report (its TCP ack) on the same path, the connection's
// cumulative ack and window on the live path with the shortest delay.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "sched/scheduler.hpp"

namespace msocket::sched::sim {

// A duration in milliseconds, for CAPTUREs and comparisons.
inline double ms(Duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// The path's sender window, in bandwidth-delay products at its initial rate:
// a TCP whose window has grown past the BDP and keeps a small standing queue.
inline constexpr double kCwndBdps = 1.5;

struct PathSpec {
  double mbit_per_second = 0;
  Duration rtt{};  // propagation only: each direction takes rtt / 2
};

// At `at`, path `path` changes rate (0: it stalls: nothing more leaves it).
struct RateChange {
  std::size_t path = 0;
  Duration at{};
  double mbit_per_second = 0;
};

// At `at`, path `path` fails: what it holds is lost and the sender learns it.
struct PathFailure {
  std::size_t path = 0;
  Duration at{};
};

struct Scenario {
  std::vector<PathSpec> paths;
  std::uint64_t file_bytes = 0;
  std::uint64_t receive_window = 64ull << 20;  // the receiver's input buffer (b)
  std::vector<RateChange> rate_changes;
  std::vector<PathFailure> failures;
  Duration time_limit = std::chrono::seconds(300);
};

struct Outcome {
  std::optional<Duration> completion;  // the receiver holds the whole file in order
  std::uint64_t max_out_of_order = 0;  // most bytes the receiver held at once
  bool window_overrun = false;         // a byte arrived at or past the window
  std::vector<std::uint64_t> bytes_sent;  // per path, copies included
  std::uint64_t events = 0;
};

// The paper's two paths (§IV-B): WiFi 80 ms RTT and LTE 145 ms RTT, here at
// 40 and 20 Mbit/s.
inline const PathSpec kWifi{40, std::chrono::milliseconds(80)};
inline const PathSpec kLte{20, std::chrono::milliseconds(145)};

// A transfer of `file_bytes` over `paths` into a receive window of `window`.
inline Scenario transfer(std::vector<PathSpec> paths, std::uint64_t file_bytes,
                         std::uint64_t window = 4ull << 20) {
  Scenario s;
  s.paths = std::move(paths);
  s.file_bytes = file_bytes;
  s.receive_window = window;
  return s;
}

// Runs the scenario with the policy named `policy` (all paths up at time 0,
// handshake RTT known, the whole file written at time 0).
Outcome run(const Scenario& scenario, std::string_view policy, Config config = {});

// The paper's "Ideal": every path busy from time 0 until the end, the bytes
// split so that all finish together, no reordering cost: the least T with
// sum(rate_i * max(0, T - rtt_i / 2)) >= file_bytes. Rate changes and
// failures of the scenario count: a path carries at its rate of the moment,
// and nothing of what it had not delivered when it failed.
Duration ideal_completion(const Scenario& scenario);

// What one path alone needs: its one-way delay plus the file at its rate.
Duration single_path_completion(const PathSpec& path, std::uint64_t file_bytes);

}  // namespace msocket::sched::sim
