// The trace behind `mbench energy`: the byte counters of the client
// namespace's interfaces, read every few milliseconds while a transfer runs.
// A thread of mbench joins the namespace (setns affects that thread only)
// and keeps /proc/thread-self/net/dev open there; re-reading it costs one
// system call and a few microseconds, and it counts what the interface
// really carried (headers, acknowledgements, retransmissions), which is
// what a radio pays for.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "testbed/radio_energy.hpp"

namespace msocket::mbench {

struct InterfaceBytes {
  std::uint64_t received = 0;
  std::uint64_t sent = 0;
};

// The counters of `interface` in the text of /proc/net/dev; nullopt if the
// interface is not listed or its line is malformed.
std::optional<InterfaceBytes> parse_net_dev(std::string_view text, std::string_view interface);

class InterfaceCounterSampler {
 public:
  // Starts sampling `interfaces` of the namespace `netns` (a name of `ip
  // netns`) every `interval`; the first reading is the baseline. Throws
  // std::runtime_error if the namespace cannot be entered or an interface
  // is missing.
  InterfaceCounterSampler(const std::string& netns, std::vector<std::string> interfaces,
                          std::chrono::milliseconds interval);
  // Stops the thread if stop() was not called.
  ~InterfaceCounterSampler();
  InterfaceCounterSampler(const InterfaceCounterSampler&) = delete;
  InterfaceCounterSampler& operator=(const InterfaceCounterSampler&) = delete;

  // Stops once the interfaces have been quiet for 300 ms (at most 3 s from
  // now: what is still queued on a link belongs to this trace), and returns
  // one trace per interface (in the order given): bytes since the previous
  // reading, time since the baseline. Bytes the namespace received are
  // "down", sent are "up". Throws if a reading failed in the meantime.
  std::vector<std::vector<testbed::TrafficSample>> stop();

 private:
  struct Reading {
    std::chrono::steady_clock::time_point at;
    std::vector<InterfaceBytes> bytes;
  };

  static bool same_bytes(const Reading& a, const Reading& b);
  void run(int namespace_fd);
  Reading read_counters(int net_dev_fd) const;

  std::vector<std::string> interfaces_;
  std::chrono::milliseconds interval_;
  std::vector<Reading> readings_;  // written by the thread until it is joined
  std::string failure_;            // idem
  std::atomic<bool> stopping_{false};
  std::atomic<int> started_{0};  // 1 once the baseline is read, -1 if that failed
  std::thread thread_;
};

}  // namespace msocket::mbench
