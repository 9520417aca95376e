// Scheduler: feeds the ledger and the estimators, asks the policy.
#include "sched/scheduler.hpp"

#include <algorithm>

#include "sched/policy_steps.hpp"

namespace msocket::sched {
namespace {

struct Registered {
  std::string_view name;
  std::unique_ptr<Policy> (*make)();
};

// The registry (MPTCP's sched.c: policies found by name, nothing else).
constexpr Registered kPolicies[] = {
    {"default", make_throughput_proportional},
    {"rr", make_round_robin},
    {"redundant", make_redundant},
    {"backup", make_backup},
    {"prefer", make_prefer},
};

}  // namespace

Scheduler::Scheduler(std::unique_ptr<Policy> policy, Config config)
    : policy_(std::move(policy)), config_(std::move(config)) {}

unsigned Scheduler::rank_for(PathId path) {
  const auto& order = config_.preference;
  const auto listed = std::find(order.begin(), order.end(), path);
  if (listed != order.end()) return static_cast<unsigned>(listed - order.begin());
  return static_cast<unsigned>(order.size()) + paths_seen_;
}

void Scheduler::path_up(PathId path, std::optional<Duration> handshake_rtt, PathPriority priority) {
  if (paths_.contains(path)) path_down(path);
  const unsigned rank = rank_for(path);
  ++paths_seen_;
  auto& live = paths_.insert_or_assign(path, LivePath{rank, priority, PathEstimator(config_)}).first->second;
  if (handshake_rtt) live.estimate.on_rtt_sample(*handshake_rtt);
  ledger_.add_path(path);
}

void Scheduler::path_down(PathId path, std::span<const ByteRange> unsure) {
  paths_.erase(path);
  ledger_.path_failed(path, unsure);
}

void Scheduler::on_rtt_sample(PathId path, Duration rtt) {
  if (auto it = paths_.find(path); it != paths_.end()) it->second.estimate.on_rtt_sample(rtt);
}

void Scheduler::on_delivered(PathId path, std::uint64_t bytes, TimePoint now) {
  auto it = paths_.find(path);
  if (it == paths_.end()) return;
  it->second.estimate.on_delivered(ledger_.record_delivered(path, bytes), now);
}

void Scheduler::on_congestion_window(PathId path, std::uint64_t bytes) {
  if (auto it = paths_.find(path); it != paths_.end()) it->second.estimate.on_congestion_window(bytes);
}

void Scheduler::on_ack(std::uint64_t ack, std::uint64_t window_end) { ledger_.on_ack(ack, window_end); }

void Scheduler::on_write(std::uint64_t stream_end) { ledger_.set_stream_end(stream_end); }

const PathEstimator* Scheduler::estimate(PathId path) const {
  auto it = paths_.find(path);
  return it == paths_.end() ? nullptr : &it->second.estimate;
}

bool Scheduler::backups_hidden(TimePoint now) const {
  return std::any_of(paths_.begin(), paths_.end(), [&](const auto& entry) {
    return entry.second.priority == PathPriority::regular && !entry.second.estimate.failing(now);
  });
}

SchedulerView Scheduler::view(TimePoint now) const {
  SchedulerView view{config_, ledger_, {}, now, paths_.size() == 1};
  const bool hide_backups = backups_hidden(now);
  for (const auto& [id, live] : paths_) {
    if (hide_backups && live.priority == PathPriority::backup) continue;
    view.paths.push_back({id, live.rank, &live.estimate, ledger_.flight(id)});
  }
  std::sort(view.paths.begin(), view.paths.end(),
            [](const PathView& x, const PathView& y) { return x.rank < y.rank; });
  return view;
}

std::vector<ByteRange> Scheduler::next_ranges(PathId path, std::uint64_t budget, TimePoint now) {
  auto it = paths_.find(path);
  if (it == paths_.end() || budget == 0) return {};
  const SchedulerView snapshot = view(now);
  const PathView* found = snapshot.find(path);
  if (!found) return {};  // a backup while a regular path works
  const PathView& self = *found;
  const std::uint64_t room = std::min(budget, backlog_room(snapshot, self));
  auto ranges = policy_->choose(snapshot, self, budget);
  std::uint64_t total = 0;
  for (const auto& r : ranges) {
    ledger_.record_sent(path, r, now);
    total += r.size();
  }
  auto& estimate = it->second.estimate;
  // Less than the path could take: whatever it delivers next reflects the
  // lack of data, not its capacity.
  if (total < room) estimate.mark_app_limited();
  estimate.on_sent(total, now);
  return ranges;
}

TimePoint Scheduler::next_deadline(TimePoint now) const {
  TimePoint earliest = TimePoint::max();
  for (const auto& [id, live] : paths_) {
    const auto stalls_at = live.estimate.stalls_at();
    if (!stalls_at) continue;
    // Once stalled, its estimate keeps shrinking: look again every quarter
    // RTT, but not so often that a short RTT makes the caller spin.
    const Duration again = std::max<Duration>(live.estimate.srtt() / 4, config_.stall_floor / 4);
    const TimePoint next = *stalls_at > now ? *stalls_at : now + again;
    earliest = std::min(earliest, next);
  }
  return earliest;
}

result<std::unique_ptr<Scheduler>> make_scheduler(std::string_view policy, Config config) {
  for (const auto& p : kPolicies) {
    if (p.name == policy) return std::make_unique<Scheduler>(p.make(), std::move(config));
  }
  return boost::system::errc::make_error_code(boost::system::errc::invalid_argument);
}

std::vector<std::string_view> policy_names() {
  std::vector<std::string_view> names;
  for (const auto& p : kPolicies) names.push_back(p.name);
  return names;
}

}  // namespace msocket::sched
