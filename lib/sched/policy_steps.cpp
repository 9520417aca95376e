// Policy steps: the range picker, lost ranges, opportunistic re-sends.
#include "sched/policy_steps.hpp"

#include <algorithm>
#include <limits>

#include "sched/arrival.hpp"

namespace msocket::sched {

RangePicker::RangePicker(const SchedulerView& view, const PathView& path, std::uint64_t budget)
    : view_(view), path_(path), budget_(budget), next_new_(view.ledger.next_new()) {}

std::uint64_t RangePicker::new_left() const {
  const auto& ledger = view_.ledger;
  const std::uint64_t limit = std::min(ledger.stream_end(), ledger.window_end());
  return limit > next_new_ ? limit - next_new_ : 0;
}

std::uint64_t RangePicker::add(ByteRange range) {
  const std::uint64_t chunk = view_.config.chunk_size;
  std::uint64_t added = 0;
  while (range.begin < range.end && room() > 0) {
    const std::uint64_t len = std::min({range.size(), room(), chunk});
    ranges_.push_back({range.begin, range.begin + len});
    range.begin += len;
    taken_ += len;
    added += len;
  }
  return added;
}

void RangePicker::add_new(std::uint64_t limit) {
  const std::uint64_t len = std::min(limit, new_left());
  next_new_ += add({next_new_, next_new_ + len});
}

std::uint64_t backlog_room(const SchedulerView& view, const PathView& path) {
  // The cap keeps a path from stranding bytes that another path could carry.
  // A lone path strands nothing, and the cap would tie it to how often the
  // transport looks at its progress (5 ms) rather than to its RTT: 64 KiB
  // per look, a few MiB/s on loopback. Its socket buffer limits it instead.
  if (view.only_path) return std::numeric_limits<std::uint64_t>::max();
  const auto& estimate = *path.estimate;
  // On a path whose RTT is shorter than the caller's interval between
  // looks at its progress, a cap of a few RTTs would leave it idle most of
  // each interval: count at least that interval.
  const Duration period = std::max(estimate.srtt(), view.config.feedback_interval);
  const double rate = estimate.rate(view.now);
  const double cap_bytes = rate * Seconds(period).count() * view.config.backlog_rtts;
  auto cap = std::max(static_cast<std::uint64_t>(cap_bytes), 2 * std::uint64_t{view.config.chunk_size});
  // The estimate follows deliveries, so it lags a TCP whose window grows
  // (slow start doubles it every RTT; BBR's startup asks for 2.89 times
  // what it measured): capped at 2 RTTs of it, the path's TCP ran out of
  // bytes with room in its window, counted itself application-limited and
  // stayed in startup, overflowing the bottleneck's queue for seconds
  // (docs/scheduler.md §4.7). Bytes within TCP's window are on the wire
  // or about to be; only those beyond it wait in the socket.
  if (const auto window = estimate.congestion_window(); window && !estimate.stalled(view.now)) {
    const auto unsent = static_cast<std::uint64_t>(rate * Seconds(period).count() * view.config.unsent_rtts);
    cap = std::max(cap, *window + std::max(unsent, 2 * std::uint64_t{view.config.chunk_size}));
  }
  return cap > estimate.in_flight() ? cap - estimate.in_flight() : 0;
}

void pick_lost(RangePicker& picker) {
  for (const auto& range : picker.view().ledger.lost()) {
    if (picker.room() == 0) break;
    picker.add(range);
  }
}

namespace {

struct Candidate {
  ByteRange range;
  TimePoint arrival;  // of the original, on the path that holds it
};

// Unacked, uncopied ranges other paths hold, with when they should arrive.
std::vector<Candidate> overtake_candidates(const SchedulerView& view, PathId self) {
  std::vector<Candidate> out;
  const std::uint64_t ack = view.ledger.ack();
  for (const auto& other : view.paths) {
    if (other.id == self) continue;
    for (const auto& entry : other.flight->queue) {
      if (entry.copied || entry.range.end <= ack) continue;
      const ByteRange unacked{std::max(entry.range.begin, ack), entry.range.end};
      out.push_back({unacked, arrival_of_sent(*other.estimate, *other.flight, entry, view.now)});
    }
  }
  std::sort(out.begin(), out.end(),
            [](const Candidate& x, const Candidate& y) { return x.range.begin < y.range.begin; });
  return out;
}

}  // namespace

void pick_overtakable(RangePicker& picker) {
  const auto& view = picker.view();
  const auto& self = *picker.path().estimate;
  // A copy must win by a margin: one that arrives about when the original
  // does only spends capacity.
  const Duration margin = self.srtt() / 8;
  for (const auto& candidate : overtake_candidates(view, picker.path().id)) {
    if (picker.room() == 0) return;
    const TimePoint copy_arrival =
        arrival_of_new(self, picker.taken(), candidate.range.size(), view.now);
    if (copy_arrival + margin < candidate.arrival) picker.add(candidate.range);
  }
}

}  // namespace msocket::sched
