// "default": the paper's policy (§III-C, docs/scheduler.md §4.1). New bytes
// are striped so that every path finishes its part at the same moment, using
// each path's measured delivery rate (or, while it has none, a rate
// proportional to 1/RTT); the window is never overrun (s - a <= b); only
// when nothing new can be sent does a faster path copy what a slower one
// still holds.
#include <algorithm>
#include <cmath>

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

// The path whose next byte would arrive soonest (`self` holding
// `self_queued` more); ties go to the most preferred.
const PathView& soonest_path(const SchedulerView& view, const PathView& self,
                             std::uint64_t self_queued) {
  const PathView* soonest = &view.paths.front();
  TimePoint soonest_arrival = TimePoint::max();
  for (const auto& p : view.paths) {
    const auto queued = p.id == self.id ? self_queued : 0;
    const TimePoint arrival = arrival_of_new(*p.estimate, queued, 1, view.now);
    if (arrival < soonest_arrival) {
      soonest_arrival = arrival;
      soonest = &p;
    }
  }
  return *soonest;
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
  if (soonest_path(view, self, self_queued).id == self.id) return static_cast<double>(ledger.sendable_new());
  double total_rate = 0;
  Duration ack_delay = Duration::max();
  for (const auto& p : view.paths) {
    total_rate += p.estimate->rate(view.now);
    ack_delay = std::min(ack_delay, p.estimate->one_way_delay());
  }
  const double window = static_cast<double>(ledger.window_end() - ledger.ack());
  const auto lasts = std::chrono::duration_cast<Duration>(Seconds(window / total_rate));
  const TimePoint deadline = view.now + lasts - ack_delay;
  return deliverable_by(*self.estimate, self_queued, deadline, view.now);
}

// What `path` takes of `remaining` new bytes on its own terms: its fair
// share, cut by the window fit, rounded (not truncated: two equal paths
// splitting 2n bytes get n each).
std::uint64_t own_share(const SchedulerView& view, const PathView& path, std::uint64_t queued,
                        std::uint64_t remaining) {
  const double fair = share_of_new(view, path, queued, remaining);
  return static_cast<std::uint64_t>(std::llround(std::min(fair, window_fit(view, path, queued))));
}

// Whether no live path would deliver `bytes` new bytes sooner than `self`
// (ties go to the most preferred).
bool delivers_soonest(const SchedulerView& view, const PathView& self, std::uint64_t self_queued,
                      std::uint64_t bytes) {
  const TimePoint mine = arrival_of_new(*self.estimate, self_queued, bytes, view.now);
  bool preferred = true;  // `p` ranks before self (view.paths is in rank order)
  for (const auto& p : view.paths) {
    if (p.id == self.id) {
      preferred = false;
      continue;
    }
    const TimePoint theirs = arrival_of_new(*p.estimate, 0, bytes, view.now);
    if (theirs < mine || (preferred && theirs == mine)) return false;
  }
  return true;
}

// New bytes `path` should take of `remaining`. A remainder too small to be
// worth a frame is taken whole by a path that was due most of it anyway.
// The soonest path (exempt from the window fit) also takes what the other
// paths will not: their shares cut by the window fit, or too small to send
// (not what their backlog cap holds back for now: they take that later). When every share is that small (a few bytes over three
// similar paths), the path that would deliver them all soonest takes them.
// Without these two rules the bytes could be left to the others for good.
std::uint64_t rounded_share(const SchedulerView& view, const PathView& path, std::uint64_t queued,
                            std::uint64_t remaining) {
  const std::uint64_t crumb = view.config.chunk_size / 8;
  std::uint64_t share = own_share(view, path, queued, remaining);
  if (soonest_path(view, path, queued).id == path.id) {
    std::uint64_t others = 0;
    for (const auto& p : view.paths) {
      if (p.id == path.id) continue;
      const std::uint64_t theirs = own_share(view, p, 0, remaining);
      if (theirs >= crumb) others += theirs;
    }
    if (others < remaining) share = std::max(share, remaining - others);
  }
  if (share + crumb >= remaining && 2 * share >= remaining) return remaining;
  if (share >= crumb) return share;
  return remaining < crumb && delivers_soonest(view, path, queued, remaining) ? remaining : 0;
}

class ThroughputProportional final : public Policy {
 public:
  std::string_view name() const override { return "default"; }

  std::vector<ByteRange> choose(const SchedulerView& view, const PathView& path,
                                std::uint64_t budget) const override {
    RangePicker picker(view, path, budget);
    pick_lost(picker);
    picker.cap_at(backlog_room(view, path));
    if (const std::uint64_t remaining = picker.new_left(); remaining > 0 && picker.room() > 0) {
      picker.add_new(rounded_share(view, path, picker.taken(), remaining));
    }
    // The paper's two cases: everything is sent, or s - a = b.
    if (picker.new_left() == 0) pick_overtakable(picker);
    return picker.take();
  }
};

}  // namespace

std::unique_ptr<Policy> make_throughput_proportional() {
  return std::make_unique<ThroughputProportional>();
}

}  // namespace msocket::sched
