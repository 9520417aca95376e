// Steps the policies are built from (docs/scheduler.md §4): a picker that
// fills one path's budget in chunks, and the three sources of bytes in the
// paper's order of priority: lost ranges, new bytes, opportunistic re-sends.
#pragma once

#include <algorithm>
#include <vector>

#include "sched/policy.hpp"

namespace msocket::sched {

// Collects ranges for one path, within a byte budget, cut at chunk size.
class RangePicker {
 public:
  RangePicker(const SchedulerView& view, const PathView& path, std::uint64_t budget);

  const SchedulerView& view() const { return view_; }
  const PathView& path() const { return path_; }
  std::uint64_t room() const { return budget_ - taken_; }
  std::uint64_t taken() const { return taken_; }
  // New bytes not yet picked that the window allows.
  std::uint64_t new_left() const;
  // Adds as much of `range` as there is room for; returns how much.
  std::uint64_t add(ByteRange range);
  // Adds up to `limit` new bytes, from next_new() on.
  void add_new(std::uint64_t limit);
  // Lowers the budget to `total` bytes in all (never below what is taken).
  void cap_at(std::uint64_t total) { budget_ = std::min(budget_, std::max(total, taken_)); }
  std::vector<ByteRange> take() { return std::move(ranges_); }

 private:
  const SchedulerView& view_;
  const PathView& path_;
  std::uint64_t budget_;
  std::uint64_t taken_ = 0;
  std::uint64_t next_new_;
  std::vector<ByteRange> ranges_;
};

// Bytes `path` may still be given before it holds Config::backlog_rtts of
// its RTTs at its estimated rate (at least two chunks in all), or, if more,
// its TCP congestion window and Config::unsent_rtts more; no limit for the
// only live path.
std::uint64_t backlog_room(const SchedulerView& view, const PathView& path);

// Ranges lost with a failed path, lowest offsets first. Policies pick them
// before capping the picker at backlog_room: lost bytes are not held to the
// cap, since they may be what holds the window and what every path's
// delivery reports wait for (when the connection's ack stands in for them).
void pick_lost(RangePicker& picker);

// Opportunistic re-sends (paper §III-C): unacked ranges that other paths
// hold and would deliver later than this path would deliver a copy, lowest
// offsets first (they hold the window back), each copied at most once.
void pick_overtakable(RangePicker& picker);

}  // namespace msocket::sched
