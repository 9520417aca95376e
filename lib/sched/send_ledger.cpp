// SendLedger: stream offsets, per-path flights and lost ranges.
#include "sched/send_ledger.hpp"

#include <algorithm>

#include <boost/assert.hpp>

namespace msocket::sched {
namespace {

// Sorts `ranges` and merges those that overlap or touch.
void normalize(std::vector<ByteRange>& ranges) {
  std::sort(ranges.begin(), ranges.end(),
            [](const ByteRange& x, const ByteRange& y) { return x.begin < y.begin; });
  std::vector<ByteRange> merged;
  for (const auto& r : ranges) {
    if (r.begin >= r.end) continue;
    if (!merged.empty() && r.begin <= merged.back().end) {
      merged.back().end = std::max(merged.back().end, r.end);
    } else {
      merged.push_back(r);
    }
  }
  ranges = std::move(merged);
}

// Cuts `ranges` (sorted, disjoint) so that nothing of `cut` remains.
void subtract(std::vector<ByteRange>& ranges, ByteRange cut) {
  std::vector<ByteRange> kept;
  for (const auto& r : ranges) {
    if (r.end <= cut.begin || r.begin >= cut.end) {
      kept.push_back(r);
      continue;
    }
    if (r.begin < cut.begin) kept.push_back({r.begin, cut.begin});
    if (r.end > cut.end) kept.push_back({cut.end, r.end});
  }
  ranges = std::move(kept);
}

// The part of `entry` covering [begin, end) of its range, with its path
// position kept consistent (each byte keeps its place in the path's order).
SentRange slice(const SentRange& entry, std::uint64_t begin, std::uint64_t end) {
  SentRange part = entry;
  part.range = {begin, end};
  part.path_end = entry.path_end - (entry.range.end - end);
  return part;
}

}  // namespace

void SendLedger::set_stream_end(std::uint64_t end) { stream_end_ = std::max(stream_end_, end); }

void SendLedger::on_ack(std::uint64_t ack, std::uint64_t window_end) {
  ack_ = std::max(ack_, ack);
  window_end_ = std::max(window_end_, window_end);
  subtract(lost_, {0, ack_});
}

std::uint64_t SendLedger::sendable_new() const {
  const std::uint64_t limit = std::min(stream_end_, window_end_);
  return limit > next_new_ ? limit - next_new_ : 0;
}

void SendLedger::add_path(PathId path) { flights_[path] = PathFlight{}; }

void SendLedger::path_failed(PathId path, std::span<const ByteRange> unsure) {
  auto keep = [&](ByteRange r) {
    r.begin = std::max(r.begin, ack_);
    r.end = std::min(r.end, next_new_);
    if (r.begin < r.end) lost_.push_back(r);
  };
  if (auto it = flights_.find(path); it != flights_.end()) {
    for (const auto& entry : it->second.queue) keep(entry.range);
    flights_.erase(it);
  }
  for (const auto& r : unsure) keep(r);
  normalize(lost_);
}

void SendLedger::record_sent(PathId path, ByteRange range, TimePoint now) {
  auto it = flights_.find(path);
  BOOST_ASSERT(it != flights_.end());
  BOOST_ASSERT(range.begin < range.end);
  BOOST_ASSERT(range.begin <= next_new_);
  BOOST_ASSERT(range.end <= std::max(next_new_, std::min(stream_end_, window_end_)));
  bool copied = false;
  if (range.begin < next_new_) {
    const ByteRange old{range.begin, std::min(range.end, next_new_)};
    subtract(lost_, old);
    copied = mark_copied_elsewhere(path, old);
  }
  next_new_ = std::max(next_new_, range.end);
  auto& flight = it->second;
  flight.sent += range.size();
  flight.highest_end = std::max(flight.highest_end, range.end);
  flight.queue.push_back({range, flight.sent, now, copied});
}

std::uint64_t SendLedger::record_delivered(PathId path, std::uint64_t bytes) {
  auto it = flights_.find(path);
  if (it == flights_.end()) return 0;
  auto& flight = it->second;
  bytes = std::min(bytes, flight.sent - flight.delivered);
  flight.delivered += bytes;
  while (!flight.queue.empty() && flight.queue.front().path_end <= flight.delivered) {
    flight.queue.pop_front();
  }
  return bytes;
}

const PathFlight* SendLedger::flight(PathId path) const {
  auto it = flights_.find(path);
  return it == flights_.end() ? nullptr : &it->second;
}

bool SendLedger::mark_copied_elsewhere(PathId path, ByteRange range) {
  bool found = false;
  for (auto& [id, flight] : flights_) {
    if (id == path) continue;
    boost::container::devector<SentRange> updated;
    for (const auto& entry : flight.queue) {
      const std::uint64_t from = std::max(entry.range.begin, range.begin);
      const std::uint64_t to = std::min(entry.range.end, range.end);
      if (from >= to) {
        updated.push_back(entry);
        continue;
      }
      found = true;
      if (entry.copied) {
        updated.push_back(entry);
        continue;
      }
      if (entry.range.begin < from) updated.push_back(slice(entry, entry.range.begin, from));
      updated.push_back(slice(entry, from, to));
      updated.back().copied = true;
      if (to < entry.range.end) updated.push_back(slice(entry, to, entry.range.end));
    }
    flight.queue = std::move(updated);
  }
  return found;
}

}  // namespace msocket::sched
