// "prefer": the most preferred path carries data while it is up and moving;
// when it fails or stalls (delivers nothing for longer than the stall
// threshold while holding bytes), the next preferred path that is moving
// takes over, and copies what the stalled path holds (docs/scheduler.md
// §4.5). Unlike backup, a path that is up but stuck does not hold the
// transfer hostage.
#include <algorithm>

#include "sched/policy_steps.hpp"

namespace msocket::sched {
namespace {

// The most preferred path that is not stalled; the most preferred one if
// all are.
const PathView& active_path(const SchedulerView& view) {
  for (const auto& p : view.paths) {
    if (!p.estimate->stalled(view.now)) return p;
  }
  return *view.preferred();
}

class Prefer final : public Policy {
 public:
  std::string_view name() const override { return "prefer"; }

  std::vector<ByteRange> choose(const SchedulerView& view, const PathView& path,
                                std::uint64_t budget) const override {
    if (active_path(view).id != path.id) return {};
    RangePicker picker(view, path, budget);
    pick_lost(picker);
    picker.cap_at(backlog_room(view, path));
    picker.add_new(picker.room());
    if (picker.new_left() == 0) pick_overtakable(picker);
    return picker.take();
  }
};

}  // namespace

std::unique_ptr<Policy> make_prefer() { return std::make_unique<Prefer>(); }

}  // namespace msocket::sched
