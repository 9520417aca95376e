// Arrival estimates from a path's rate, one-way delay and backlog.
#include "sched/arrival.hpp"

#include <algorithm>

namespace msocket::sched {
namespace {

Duration to_duration(double seconds) {
  // Caps a nearly stalled path's estimate at a day rather than overflowing.
  return std::chrono::duration_cast<Duration>(Seconds(std::min(seconds, 86400.0)));
}

}  // namespace

TimePoint arrival_of_new(const PathEstimator& path, std::uint64_t queued_now, std::uint64_t extra,
                         TimePoint now) {
  const double rate = path.rate(now);
  const double delay = Seconds(path.one_way_delay()).count();
  const double ahead = static_cast<double>(path.in_flight() + queued_now + extra);
  const double busy = ahead / rate - delay;
  const double idle = delay + static_cast<double>(queued_now + extra) / rate;
  const TimePoint estimate = now + to_duration(std::max(busy, idle));
  if (path.in_flight() == 0) return estimate;
  // The busy term assumes a full pipe; a path that started sending less
  // than a round trip ago has not even serialized what it holds.
  const TimePoint serialized = path.busy_since() + to_duration(ahead / rate + delay);
  return std::max(estimate, serialized);
}

TimePoint arrival_of_sent(const PathEstimator& path, const PathFlight& flight,
                          const SentRange& entry, TimePoint now) {
  const double rate = path.rate(now);
  const double delay = Seconds(path.one_way_delay()).count();
  const double ahead = static_cast<double>(entry.path_end - flight.delivered);
  // A stalled path has nothing on the wire: what it holds must still be
  // serialized after it resumes, then cross.
  const double from_now = path.stalled(now) ? ahead / rate + delay : ahead / rate - delay;
  const double own = static_cast<double>(entry.range.size()) / rate + delay;
  return std::max(now + to_duration(from_now), entry.sent_at + to_duration(own));
}

double deliverable_by(const PathEstimator& path, std::uint64_t queued_now, TimePoint deadline,
                      TimePoint now) {
  if (deadline <= now) return 0;
  const double rate = path.rate(now);
  const double delay = Seconds(path.one_way_delay()).count();
  const double span = Seconds(deadline - now).count();
  const double held = static_cast<double>(path.in_flight() + queued_now);
  const double busy = (span + delay) * rate - held;
  const double idle = (span - delay) * rate - static_cast<double>(queued_now);
  return std::max(0.0, std::min(busy, idle));
}

}  // namespace msocket::sched
