// "rr": one chunk per request, to whichever path asks (docs/scheduler.md
// §4.2). Paths take turns as their sockets drain, as MPTCP's round-robin
// scheduler skips subflows whose window is full. No estimates and no
// opportunistic re-sends: only what a failed path lost is sent again, so a
// stalled path can hold the window (the receive-buffer deadlock that the
// default policy avoids).
#include <algorithm>

#include "sched/policy_steps.hpp"

namespace msocket::sched {
namespace {

class RoundRobin final : public Policy {
 public:
  std::string_view name() const override { return "rr"; }

  std::vector<ByteRange> choose(const SchedulerView& view, const PathView& path,
                                std::uint64_t budget) const override {
    RangePicker picker(view, path, std::min<std::uint64_t>(budget, view.config.chunk_size));
    pick_lost(picker);
    picker.add_new(picker.room());
    return picker.take();
  }
};

}  // namespace

std::unique_ptr<Policy> make_round_robin() { return std::make_unique<RoundRobin>(); }

}  // namespace msocket::sched
