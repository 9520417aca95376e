// What the scheduler believes about one path: its smoothed RTT and the rate
// at which it delivers bytes to the peer (docs/scheduler.md §2). Fed by
// events only, read at a given `now`; no clock of its own.
#pragma once

#include <optional>

#include "sched/config.hpp"

namespace msocket::sched {

class PathEstimator {
 public:
  explicit PathEstimator(const Config& config) : config_(&config) {}

  // An RTT sample: the handshake, or a PING/PONG (docs/protocol.md §2.5).
  // Smoothed as TCP does (RFC 6298: 7/8 old + 1/8 new; the first sets it).
  void on_rtt_sample(Duration rtt);
  // `bytes` were handed to the path at `now`.
  void on_sent(std::uint64_t bytes, TimePoint now);
  // The peer received `bytes` more of what the path carried (in send order).
  void on_delivered(std::uint64_t bytes, TimePoint now);
  // The path was offered more room than it was given because there was
  // nothing (or no share) for it: what it delivers meanwhile says little
  // about what it could deliver, so lower samples are not taken.
  void mark_app_limited() { app_limited_ = true; }
  // The path's TCP congestion window in bytes (TCP_INFO: snd_cwnd times
  // snd_mss): how much TCP would have in flight now if it had the bytes.
  void on_congestion_window(std::uint64_t bytes) { congestion_window_ = bytes; }

  Duration srtt() const { return srtt_.value_or(config_->initial_rtt); }
  Duration one_way_delay() const { return srtt() / 2; }
  // Delivery rate in bytes per second: measured if a sample exists, else the
  // warm-up guess: TCP's congestion window per srtt if one was reported,
  // else initial_window / srtt. While the path holds bytes and has
  // been silent longer than the stall threshold, the rate is scaled down by
  // threshold / silence, so a stalled path looks slower the longer it stays
  // silent. Never 0.
  BytesPerSecond rate(TimePoint now) const;
  bool measured() const { return measured_rate_ > 0; }
  // The last congestion window reported; nullopt if none ever was.
  std::optional<std::uint64_t> congestion_window() const { return congestion_window_; }
  // Bytes given to the path that the peer has not received yet.
  std::uint64_t in_flight() const { return in_flight_; }
  // When the path last went from holding nothing to holding bytes.
  TimePoint busy_since() const { return busy_since_; }
  // Silent for longer than the stall threshold while holding bytes.
  bool stalled(TimePoint now) const;
  // Silent for longer than the backup threshold (Config::backup_rtts).
  bool failing(TimePoint now) const;
  // When the path will count as stalled if nothing arrives before; nullopt
  // while it holds nothing.
  std::optional<TimePoint> stalls_at() const;

 private:
  Duration stall_threshold() const;
  TimePoint silent_since() const;
  Duration silence(TimePoint now) const;
  void take_sample(BytesPerSecond sample);

  const Config* config_;
  std::optional<Duration> srtt_;
  BytesPerSecond measured_rate_ = 0;
  std::uint64_t in_flight_ = 0;
  TimePoint busy_since_{};     // when in_flight_ last went from 0 to positive
  TimePoint last_delivery_{};  // last delivery event in the current busy period
  // Rate sampling: bytes delivered since epoch_start_ (the bytes of the
  // delivery that opened the epoch excluded: they say when, not how fast).
  std::optional<TimePoint> epoch_start_;
  std::uint64_t epoch_delivered_ = 0;
  bool app_limited_ = false;
  std::optional<std::uint64_t> congestion_window_;
};

}  // namespace msocket::sched
