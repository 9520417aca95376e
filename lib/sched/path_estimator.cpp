// PathEstimator: RTT smoothing, delivery-rate samples, stall scaling.
#include "sched/path_estimator.hpp"

#include <algorithm>

namespace msocket::sched {
namespace {

// Bytes per RTT before the first sample. A fresh TCP delivers its
// congestion window per RTT (10 segments at first), far less than the
// guess: bytes given to a path at the guess arrived after a measured path
// could have delivered them, and became the transfer's last bytes
// (docs/scheduler.md §4.7).
std::uint64_t warm_up_window(const PathEstimator& path, const Config& config) {
  if (const auto window = path.congestion_window(); window && *window > 0) return *window;
  return config.initial_window;
}

}  // namespace

void PathEstimator::on_rtt_sample(Duration rtt) {
  if (rtt <= Duration::zero()) return;
  srtt_ = srtt_ ? (*srtt_ * 7 + rtt) / 8 : rtt;
}

void PathEstimator::on_sent(std::uint64_t bytes, TimePoint now) {
  if (bytes == 0) return;
  if (in_flight_ == 0) {
    busy_since_ = now;
    last_delivery_ = now;
  }
  in_flight_ += bytes;
}

void PathEstimator::on_delivered(std::uint64_t bytes, TimePoint now) {
  bytes = std::min(bytes, in_flight_);
  if (bytes == 0) return;
  in_flight_ -= bytes;
  last_delivery_ = now;
  if (!epoch_start_) {
    epoch_start_ = now;
    epoch_delivered_ = 0;
  } else {
    epoch_delivered_ += bytes;
    // Half an RTT of deliveries averages out ack bunching while still
    // giving several samples per RTT.
    const Duration interval = std::max<Duration>(srtt() / 2, 5ms);
    const Duration elapsed = now - *epoch_start_;
    if (elapsed >= interval) {
      take_sample(static_cast<double>(epoch_delivered_) / Seconds(elapsed).count());
      epoch_start_ = now;
      epoch_delivered_ = 0;
      app_limited_ = false;
    }
  }
  // An idle path measures nothing; the next epoch opens at its next delivery.
  if (in_flight_ == 0) epoch_start_.reset();
}

void PathEstimator::take_sample(BytesPerSecond sample) {
  if (app_limited_ && sample <= measured_rate_) return;
  if (measured_rate_ == 0 || (!app_limited_ && sample < measured_rate_ / 2)) {
    // First sample, or a busy path delivering less than half its estimate:
    // the path really changed (a collapse is not noise), take it whole.
    measured_rate_ = sample;
    return;
  }
  measured_rate_ = (measured_rate_ + sample) / 2;
}

Duration PathEstimator::stall_threshold() const {
  const auto scaled = std::chrono::duration_cast<Duration>(srtt() * config_->stall_rtts);
  return std::max(scaled, config_->stall_floor);
}

TimePoint PathEstimator::silent_since() const {
  // The first delivery of a busy period cannot come before one RTT.
  return std::max(last_delivery_, busy_since_ + srtt());
}

Duration PathEstimator::silence(TimePoint now) const {
  if (in_flight_ == 0) return Duration::zero();
  const TimePoint from = silent_since();
  return now > from ? now - from : Duration::zero();
}

bool PathEstimator::stalled(TimePoint now) const { return silence(now) > stall_threshold(); }

bool PathEstimator::failing(TimePoint now) const {
  const auto scaled = std::chrono::duration_cast<Duration>(srtt() * config_->backup_rtts);
  return silence(now) > std::max(scaled, config_->backup_floor);
}

std::optional<TimePoint> PathEstimator::stalls_at() const {
  if (in_flight_ == 0) return std::nullopt;
  return silent_since() + stall_threshold();
}

BytesPerSecond PathEstimator::rate(TimePoint now) const {
  const double warm_up = static_cast<double>(warm_up_window(*this, *config_)) / Seconds(srtt()).count();
  BytesPerSecond base = measured_rate_ > 0 ? measured_rate_ : warm_up;
  const Duration quiet = silence(now);
  const Duration threshold = stall_threshold();
  if (quiet > threshold) base *= Seconds(threshold).count() / Seconds(quiet).count();
  return std::max(base, 1.0);
}

}  // namespace msocket::sched
