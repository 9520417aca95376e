// The trace behind `mbench energy`: the byte counters of the client's
// interfaces, read every few milliseconds by a thread of mbench while a
// transfer runs. The two-path testbed reads them from the client
// namespace's /proc/net/dev, opened there once; re-reading it costs one
// system call and a few microseconds, and it counts what the interface
// really carried (headers, acknowledgements, retransmissions), which is
// what a radio pays for.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "testbed/net_dev.hpp"
#include "testbed/radio_energy.hpp"

namespace msocket::mbench {

// Every interface's counters at once, in a fixed order; called from the
// sampler's thread. Throws std::runtime_error if they cannot be read.
using CounterReader = std::function<std::vector<testbed::InterfaceBytes>()>;

class InterfaceCounterSampler {
 public:
  // Starts reading the counters every `interval` on a thread of its own;
  // the first reading is the baseline. `quiet`: see stop(). Throws (what
  // `read` threw) if that first reading fails.
  InterfaceCounterSampler(CounterReader read, std::chrono::milliseconds interval, std::chrono::milliseconds quiet);
  // Stops the thread if stop() was not called.
  ~InterfaceCounterSampler();
  InterfaceCounterSampler(const InterfaceCounterSampler&) = delete;
  InterfaceCounterSampler& operator=(const InterfaceCounterSampler&) = delete;

  // Stops once the interfaces have been quiet for `quiet` (at most 3 s
  // longer: what is still queued or in flight on a link belongs to this
  // trace, not to the next one), and returns one trace per interface (in
  // the reader's order): bytes since the previous reading, time since the
  // baseline. Bytes the namespace received are "down", sent are "up".
  // Throws if a reading failed in the meantime.
  std::vector<std::vector<testbed::TrafficSample>> stop();

 private:
  struct Reading {
    std::chrono::steady_clock::time_point at;
    std::vector<testbed::InterfaceBytes> bytes;
  };

  static bool same_bytes(const Reading& a, const Reading& b);
  void run();
  Reading read_counters() const;

  CounterReader read_;
  std::chrono::milliseconds interval_, quiet_;
  std::vector<Reading> readings_;  // written by the thread until it is joined
  std::string failure_;            // idem
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace msocket::mbench
