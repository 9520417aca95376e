// "redundant": every byte on every path (docs/scheduler.md §4.3). Each path
// sends the stream in order from where it is, skipping what the peer has
// acked; the first copy to arrive counts. Costs N times the bytes, gains the
// best path's latency at every moment. A failed path's bytes need no special
// care: every other path sends them anyway.
#include <algorithm>

#include "sched/policy_steps.hpp"

namespace msocket::sched {
namespace {

class Redundant final : public Policy {
 public:
  std::string_view name() const override { return "redundant"; }

  std::vector<ByteRange> choose(const SchedulerView& view, const PathView& path,
                                std::uint64_t budget) const override {
    RangePicker picker(view, path, std::min(budget, backlog_room(view, path)));
    const auto& ledger = view.ledger;
    const std::uint64_t from = std::max(path.flight->highest_end, ledger.ack());
    if (from < ledger.next_new()) picker.add({from, ledger.next_new()});
    picker.add_new(picker.room());
    return picker.take();
  }
};

}  // namespace

std::unique_ptr<Policy> make_redundant() { return std::make_unique<Redundant>(); }

}  // namespace msocket::sched
