// "backup": only the most preferred live path carries data; the others wait
// as backups until it fails (docs/scheduler.md §4.4), like MPTCP's backup
// flag. Bytes lost with the failed path go first on the backup.
#include <algorithm>

#include "sched/policy_steps.hpp"

namespace msocket::sched {
namespace {

class Backup final : public Policy {
 public:
  std::string_view name() const override { return "backup"; }

  std::vector<ByteRange> choose(const SchedulerView& view, const PathView& path,
                                std::uint64_t budget) const override {
    if (view.preferred()->id != path.id) return {};
    RangePicker picker(view, path, budget);
    pick_lost(picker);
    picker.cap_at(backlog_room(view, path));
    picker.add_new(picker.room());
    return picker.take();
  }
};

}  // namespace

std::unique_ptr<Policy> make_backup() { return std::make_unique<Backup>(); }

}  // namespace msocket::sched
