// The scheduler's discrete-event model: event queue, links, receiver.
#include "sched_link_sim.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <queue>

namespace msocket::sched::sim {
namespace {

double bytes_per_second(double mbit) { return mbit * 1e6 / 8; }

Duration seconds(double s) { return std::chrono::duration_cast<Duration>(Seconds(s)); }

enum class EventKind { serialized, arrival, report, ack, rate_change, failure, timer };

struct Event {
  TimePoint at;
  std::uint64_t sequence;  // ties are broken by order of scheduling: deterministic
  EventKind kind;
  std::size_t path = 0;
  ByteRange range{};
  std::uint64_t generation = 0;  // serialized/timer: stale if it differs
  std::uint64_t ack = 0, window_end = 0;
  double mbit = 0;
  bool operator>(const Event& other) const {
    return at != other.at ? at > other.at : sequence > other.sequence;
  }
};

// One direction of one path: a FIFO that serializes at `rate`, then delays.
struct Link {
  double rate = 0;  // bytes per second; 0 = stalled
  Duration one_way{};
  std::uint64_t window = 0;     // the TCP sender window (cwnd)
  std::uint64_t in_window = 0;  // handed to TCP, not yet acked by it
  bool alive = true;
  std::deque<ByteRange> waiting;  // front: being serialized
  double front_done = 0;          // bytes of the front already serialized
  TimePoint front_since{};
  std::uint64_t generation = 0;
};

// The receiver's input buffer: bytes past the in-order point, merged.
struct Receiver {
  std::uint64_t window = 0;
  std::uint64_t in_order = 0;
  std::map<std::uint64_t, std::uint64_t> held;  // begin -> end
  std::uint64_t held_bytes = 0;

  std::uint64_t window_end() const { return in_order + window; }

  void take(ByteRange r) {
    r.begin = std::max(r.begin, in_order);
    for (auto it = held.lower_bound(r.begin); r.begin < r.end;) {
      if (it != held.begin() && std::prev(it)->second > r.begin) --it;
      if (it == held.end() || it->first >= r.end) {
        held.emplace(r.begin, r.end);
        held_bytes += r.size();
        break;
      }
      if (it->first > r.begin) {  // the gap before the next held range
        held.emplace(r.begin, it->first);
        held_bytes += it->first - r.begin;
      }
      r.begin = std::max(r.begin, it->second);
      ++it;
    }
    while (!held.empty() && held.begin()->first == in_order) {  // the application reads
      in_order = held.begin()->second;
      held_bytes -= held.begin()->second - held.begin()->first;
      held.erase(held.begin());
    }
  }
};

class World {
 public:
  World(const Scenario& scenario, std::unique_ptr<Scheduler> scheduler)
      : scenario_(scenario), scheduler_(std::move(scheduler)) {
    receiver_.window = scenario.receive_window;
    outcome_.bytes_sent.assign(scenario.paths.size(), 0);
    for (std::size_t i = 0; i < scenario.paths.size(); ++i) add_link(i, scenario.paths[i]);
    for (const auto& c : scenario.rate_changes) push({start_ + c.at, 0, EventKind::rate_change, c.path, {}, 0, 0, 0, c.mbit_per_second});
    for (const auto& f : scenario.failures) push({start_ + f.at, 0, EventKind::failure, f.path});
    scheduler_->on_write(scenario.file_bytes);
    scheduler_->on_ack(0, receiver_.window_end());
  }

  Outcome run() {
    poll_paths(start_);
    while (!events_.empty() && !outcome_.completion) {
      const Event e = events_.top();
      events_.pop();
      if (e.at - start_ > scenario_.time_limit) break;
      ++outcome_.events;
      handle(e);
      poll_paths(e.at);
      arm_timer(e.at);
    }
    return outcome_;
  }

 private:
  void add_link(std::size_t i, const PathSpec& spec) {
    Link link;
    link.rate = bytes_per_second(spec.mbit_per_second);
    link.one_way = spec.rtt / 2;
    const double bdp = link.rate * Seconds(spec.rtt).count();
    link.window = static_cast<std::uint64_t>(std::ceil(kCwndBdps * bdp));
    links_.push_back(link);
    scheduler_->path_up(id(i), spec.rtt);
  }

  static PathId id(std::size_t i) { return PathId{static_cast<std::uint32_t>(i)}; }

  void push(Event e) {
    e.sequence = next_sequence_++;
    events_.push(e);
  }

  void handle(const Event& e) {
    Link& link = links_[e.path];
    switch (e.kind) {
      case EventKind::serialized:
        if (e.generation != link.generation) return;
        push({e.at + link.one_way, 0, EventKind::arrival, e.path, link.waiting.front()});
        link.waiting.pop_front();
        link.front_done = 0;
        link.front_since = e.at;
        start_front(e.path, e.at);
        return;
      case EventKind::arrival: return on_arrival(e);
      case EventKind::report: return on_report(e);
      case EventKind::ack: return scheduler_->on_ack(e.ack, e.window_end);
      case EventKind::rate_change:
        if (!link.waiting.empty()) {
          link.front_done += Seconds(e.at - link.front_since).count() * link.rate;
          link.front_since = e.at;
        }
        link.rate = bytes_per_second(e.mbit);
        ++link.generation;
        start_front(e.path, e.at);
        return;
      case EventKind::failure:
        link.alive = false;
        link.waiting.clear();
        ++link.generation;
        scheduler_->path_down(id(e.path));
        return;
      case EventKind::timer: return;  // poll_paths follows every event
    }
  }

  void start_front(std::size_t i, TimePoint now) {
    Link& link = links_[i];
    if (link.waiting.empty() || link.rate <= 0) return;
    const double left = static_cast<double>(link.waiting.front().size()) - link.front_done;
    push({now + seconds(std::max(left, 0.0) / link.rate), 0, EventKind::serialized, i, {}, link.generation});
  }

  void on_arrival(const Event& e) {
    if (!links_[e.path].alive) return;  // a dead connection delivers nothing more
    if (e.range.end > receiver_.window_end()) outcome_.window_overrun = true;
    receiver_.take(e.range);
    outcome_.max_out_of_order = std::max(outcome_.max_out_of_order, receiver_.held_bytes);
    if (receiver_.in_order >= scenario_.file_bytes) {
      outcome_.completion = e.at - start_;
      return;
    }
    push({e.at + links_[e.path].one_way, 0, EventKind::report, e.path, e.range});
    push({e.at + links_[quickest_path()].one_way, 0, EventKind::ack, 0, {}, 0, receiver_.in_order,
          receiver_.window_end()});
  }

  // The receiver sends its ack and window on its quickest live path, as the
  // session may put an ACK on any path (docs/protocol.md §3.2).
  std::size_t quickest_path() const {
    std::size_t best = 0;
    for (std::size_t i = 0; i < links_.size(); ++i) {
      if (links_[i].alive && (!links_[best].alive || links_[i].one_way < links_[best].one_way)) best = i;
    }
    return best;
  }

  void on_report(const Event& e) {
    Link& link = links_[e.path];
    if (!link.alive) return;
    link.in_window -= e.range.size();
    scheduler_->on_delivered(id(e.path), e.range.size(), e.at);
  }

  // Every live path with room in its TCP window is asked, starting from a
  // different path each time so that none is always first.
  void poll_paths(TimePoint now) {
    const std::size_t n = links_.size();
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t i = (first_polled_ + k) % n;
      Link& link = links_[i];
      if (!link.alive || link.in_window >= link.window) continue;
      for (const auto& r : scheduler_->next_ranges(id(i), link.window - link.in_window, now)) {
        if (link.waiting.empty()) link.front_since = now;
        link.waiting.push_back(r);
        link.in_window += r.size();
        outcome_.bytes_sent[i] += r.size();
        if (link.waiting.size() == 1) start_front(i, now);
      }
    }
    first_polled_ = (first_polled_ + 1) % n;
  }

  void arm_timer(TimePoint now) {
    const TimePoint deadline = scheduler_->next_deadline(now);
    if (deadline == TimePoint::max() || (timer_ && *timer_ <= deadline && *timer_ > now)) return;
    timer_ = deadline;
    push({deadline, 0, EventKind::timer});
  }

  const Scenario& scenario_;
  std::unique_ptr<Scheduler> scheduler_;
  TimePoint start_{};
  std::vector<Link> links_;
  Receiver receiver_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t next_sequence_ = 0;
  std::size_t first_polled_ = 0;
  std::optional<TimePoint> timer_;
  Outcome outcome_;
};

}  // namespace

Outcome run(const Scenario& scenario, std::string_view policy, Config config) {
  auto scheduler = make_scheduler(policy, std::move(config));
  BOOST_ASSERT(scheduler);
  return World(scenario, std::move(*scheduler)).run();
}

namespace {

// Bytes path `i` of the scenario has put on the wire by `t` (seconds).
double serialized_by(const Scenario& scenario, std::size_t i, double t) {
  std::vector<std::pair<double, double>> steps{{0.0, scenario.paths[i].mbit_per_second}};
  for (const auto& c : scenario.rate_changes) {
    if (c.path == i) steps.emplace_back(Seconds(c.at).count(), c.mbit_per_second);
  }
  std::sort(steps.begin(), steps.end());
  double bytes = 0;
  for (std::size_t k = 0; k < steps.size() && steps[k].first < t; ++k) {
    const double until = k + 1 < steps.size() ? std::min(t, steps[k + 1].first) : t;
    bytes += bytes_per_second(steps[k].second) * (until - steps[k].first);
  }
  return bytes;
}

// Bytes path `i` has delivered by `t`: what it serialized one one-way delay
// earlier, and nothing it had not delivered when it failed.
double delivered_by(const Scenario& scenario, std::size_t i, double t) {
  const double one_way = Seconds(scenario.paths[i].rtt).count() / 2;
  double until = t - one_way;
  for (const auto& f : scenario.failures) {
    if (f.path == i) until = std::min(until, Seconds(f.at).count() - one_way);
  }
  return until > 0 ? serialized_by(scenario, i, until) : 0;
}

}  // namespace

Duration ideal_completion(const Scenario& scenario) {
  auto total_by = [&](double t) {
    double sum = 0;
    for (std::size_t i = 0; i < scenario.paths.size(); ++i) sum += delivered_by(scenario, i, t);
    return sum;
  };
  const auto file = static_cast<double>(scenario.file_bytes);
  double low = 0, high = 1;
  while (total_by(high) < file && high < 1e6) high *= 2;
  for (int i = 0; i < 100; ++i) {
    const double middle = (low + high) / 2;
    (total_by(middle) < file ? low : high) = middle;
  }
  return seconds(high);
}

Duration single_path_completion(const PathSpec& path, std::uint64_t file_bytes) {
  return seconds(Seconds(path.rtt).count() / 2 +
                 static_cast<double>(file_bytes) / bytes_per_second(path.mbit_per_second));
}

}  // namespace msocket::sched::sim
