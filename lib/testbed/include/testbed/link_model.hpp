// One direction of an emulated link, sans I/O (the model behind mm-delay and
// mm-link, and ngtcp2's examples/sim.h): packets go in with their arrival
// time, their departure time comes out. Delay, rate, random loss and a
// drop-tail queue; no clock, no sockets. tun_link.hpp drives it with real time.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <string_view>

namespace msocket::testbed {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// Bits per second; 0 means unlimited.
using BitsPerSecond = std::uint64_t;

// Default queue limit: this much time at the link's rate...
inline constexpr Duration kDefaultQueueTime = std::chrono::milliseconds(100);
// ...but never less than this many bytes (a few full-size TCP segments).
inline constexpr std::size_t kMinDefaultQueueBytes = 64 * 1024;

struct LinkConfig {
  Duration delay{0};            // one-way propagation delay
  BitsPerSecond rate = 0;       // serialization rate; 0 = unlimited
  double loss = 0;              // probability in [0, 1] that a packet is lost
  std::size_t queue_bytes = 0;  // drop-tail limit; 0 = default_queue_bytes(rate)
  std::uint64_t seed = 1;       // seeds the loss generator (std::mt19937_64)
};

// kDefaultQueueTime at `rate`, at least kMinDefaultQueueBytes.
std::size_t default_queue_bytes(BitsPerSecond rate);

struct LinkCounters {
  std::uint64_t packets = 0;     // accepted (they will depart)
  std::uint64_t bytes = 0;       // accepted bytes
  std::uint64_t lost = 0;        // dropped by random loss
  std::uint64_t overflowed = 0;  // dropped because the queue was full
  std::uint64_t drops() const { return lost + overflowed; }
};

class LinkModel {
 public:
  // `config.loss` must be in [0, 1] (BOOST_ASSERT).
  explicit LinkModel(const LinkConfig& config);

  // A packet of `bytes` arrives at `arrival`. Returns when it leaves the far
  // end: max(arrival, busy_until) + serialization time + delay, where the link
  // stays busy until the previous departure minus the delay. Returns nullopt
  // if the packet is dropped: random loss first, then drop-tail when the bytes
  // still waiting for (or in) serialization plus `bytes` exceed the queue
  // limit. Arrivals must not go back in time; departures then never do either.
  std::optional<TimePoint> on_packet(TimePoint arrival, std::size_t bytes);

  // Time to put `bytes` on the wire at the configured rate (0 if unlimited).
  Duration serialization_time(std::size_t bytes) const;

  const LinkConfig& config() const { return config_; }
  std::size_t queue_limit() const { return queue_limit_; }
  const LinkCounters& counters() const { return counters_; }

 private:
  struct Queued {
    TimePoint serialized;  // when its last bit is on the wire
    std::size_t bytes;
  };

  // Forgets packets serialized by `now`; returns the bytes still queued.
  std::size_t queued_bytes(TimePoint now);

  LinkConfig config_;
  std::size_t queue_limit_;
  std::mt19937_64 random_;
  TimePoint busy_until_{};
  std::deque<Queued> queue_;
  std::size_t queue_bytes_ = 0;
  LinkCounters counters_;
};

// Rates as tc(8) writes them: "20mbit", "1.5gbit", "500kbit", "800bit", or a
// bare number of bits per second; "0" is unlimited. Decimal multipliers
// (kbit = 1000 bit/s). nullopt for anything else.
std::optional<BitsPerSecond> parse_rate(std::string_view text);

// "20mbit", "1500kbit", "800bit" (exact, the largest unit that divides), or
// "unlimited" for 0.
std::string format_rate(BitsPerSecond rate);

}  // namespace msocket::testbed
