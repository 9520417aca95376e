// The interface every scheduling policy implements (docs/scheduler.md §4),
// and what a policy may read. A policy decides, nothing more: the Scheduler
// records its choice in the ledger and the estimators.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "sched/config.hpp"
#include "sched/path_estimator.hpp"
#include "sched/send_ledger.hpp"

namespace msocket::sched {

// One live path as policies see it.
struct PathView {
  PathId id{};
  unsigned rank = 0;  // 0 = most preferred (Config::preference, then order of path_up)
  const PathEstimator* estimate = nullptr;
  const PathFlight* flight = nullptr;
};

// A read-only snapshot of the scheduler at `now`.
struct SchedulerView {
  const Config& config;
  const SendLedger& ledger;
  std::vector<PathView> paths;  // every live path, most preferred first
  TimePoint now;
  // The scheduler knows no other live path, hidden backups included: there
  // is no choice to keep open, so nothing is held back (backlog_room).
  bool only_path = false;

  const PathView* find(PathId id) const {
    for (const auto& p : paths) {
      if (p.id == id) return &p;
    }
    return nullptr;
  }
  // The most preferred live path, or nullptr.
  const PathView* preferred() const { return paths.empty() ? nullptr : &paths.front(); }
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  // Ranges `path` (one of view.paths) should send now, `budget` bytes at
  // most in all, each at most Config::chunk_size. New bytes must begin at
  // ledger.next_new() and stay below its window; other ranges must be below
  // next_new(). May return nothing.
  virtual std::vector<ByteRange> choose(const SchedulerView& view, const PathView& path,
                                        std::uint64_t budget) const = 0;
};

// One factory per policy file.
std::unique_ptr<Policy> make_throughput_proportional();  // "default"
std::unique_ptr<Policy> make_round_robin();              // "rr"
std::unique_ptr<Policy> make_redundant();                // "redundant"
std::unique_ptr<Policy> make_backup();                   // "backup"
std::unique_ptr<Policy> make_prefer();                   // "prefer"

}  // namespace msocket::sched
