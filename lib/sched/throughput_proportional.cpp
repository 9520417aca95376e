// "default": the paper's policy (§III-C, docs/scheduler.md §4.1). New bytes
// are striped so that every path finishes its part at the same moment, using
// each path's measured delivery rate (or, while it has none, a rate
// proportional to 1/RTT); the window is never overrun (s - a <= b); only
// when nothing new can be sent does a faster path copy what a slower one
// still holds.
#include <algorithm>

#include "sched/arrival.hpp"
#include "sched/policy_steps.hpp"

namespace msocket::sched {
namespace {

// Bytes of `remaining` new bytes that `self` should carry so that all paths
// deliver their last byte together: the deadline T at which the paths
// together can deliver `remaining` is found by bisection (deliverable_by is
// monotonic in T), then self's part is what self can deliver by T.
double share_of_new(const SchedulerView& view, const PathView& self, std::uint64_t self_queued,
                    std::uint64_t remaining) {
  auto queued = [&](const PathView& p) { return p.id == self.id ? self_queued : 0; };
  auto total_by = [&](TimePoint deadline) {
    double sum = 0;
    for (const auto& p : view.paths) sum += deliverable_by(*p.estimate, queued(p), deadline, view.now);
    return sum;
  };
  // Any single path delivers everything by its own finishing time.
  TimePoint high = TimePoint::max();
  for (const auto& p : view.paths) {
    high = std::min(high, arrival_of_new(*p.estimate, queued(p), remaining, view.now));
  }
  TimePoint low = view.now;
  const auto target = static_cast<double>(remaining);
  while (high - low > std::chrono::microseconds(10)) {
    const TimePoint middle = low + (high - low) / 2;
    (total_by(middle) < target ? low : high) = middle;
  }
  return deliverable_by(*self.estimate, self_queued, high, view.now);
}

// Bytes `self` may take before its new bytes would hold the window: a byte
// handed to a path frees its place in the window when it has arrived and
// the ack is back (on the quickest path: docs/scheduler.md §3), and meanwhile the paths together
// consume the window in window / (sum of rates). A path slower than that
// would leave the receiver's buffer full behind its bytes and every path
// waiting, so only the path that delivers soonest is exempt (the window
// itself limits it).
double window_fit(const SchedulerView& view, const PathView& self, std::uint64_t self_queued) {
  const auto& ledger = view.ledger;
  double total_rate = 0;
  Duration ack_delay = Duration::max();
  const PathView* soonest = nullptr;
  TimePoint soonest_arrival = TimePoint::max();
  for (const auto& p : view.paths) {
    total_rate += p.estimate->rate(view.now);
    ack_delay = std::min(ack_delay, p.estimate->one_way_delay());
    const auto queued = p.id == self.id ? self_queued : 0;
    const TimePoint arrival = arrival_of_new(*p.estimate, queued, 1, view.now);
    if (arrival < soonest_arrival) {
      soonest_arrival = arrival;
      soonest = &p;
    }
  }
  if (soonest == &self) return static_cast<double>(ledger.sendable_new());
  const double window = static_cast<double>(ledger.window_end() - ledger.ack());
  const auto lasts = std::chrono::duration_cast<Duration>(Seconds(window / total_rate));
  const TimePoint deadline = view.now + lasts - ack_delay;
  return deliverable_by(*self.estimate, self_queued, deadline, view.now);
}

class ThroughputProportional final : public Policy {
 public:
  std::string_view name() const override { return "default"; }

  std::vector<ByteRange> choose(const SchedulerView& view, const PathView& path,
                                std::uint64_t budget) const override {
    RangePicker picker(view, path, std::min(budget, backlog_room(view, path)));
    pick_lost(picker);
    if (const std::uint64_t remaining = picker.new_left(); remaining > 0 && picker.room() > 0) {
      picker.add_new(rounded_share(view, path, picker.taken(), remaining));
    }
    // The paper's two cases: everything is sent, or s - a = b.
    if (picker.new_left() == 0) pick_overtakable(picker);
    return picker.take();
  }

 private:
  // A share too small to be worth a frame is left to the other paths, and a
  // remainder too small to be worth one is taken whole by a path that was
  // due most of it anyway.
  static std::uint64_t rounded_share(const SchedulerView& view, const PathView& path,
                                     std::uint64_t queued, std::uint64_t remaining) {
    const std::uint64_t crumb = view.config.chunk_size / 8;
    const double fair = share_of_new(view, path, queued, remaining);
    const auto share = static_cast<std::uint64_t>(std::min(fair, window_fit(view, path, queued)));
    if (share + crumb >= remaining && 2 * share >= remaining) return remaining;
    return share >= crumb ? share : 0;
  }
};

}  // namespace

std::unique_ptr<Policy> make_throughput_proportional() {
  return std::make_unique<ThroughputProportional>();
}

}  // namespace msocket::sched
