#include "session/range_set.hpp"

#include <algorithm>

namespace msocket::session {

void RangeSet::add(Range r) {
  if (r.begin >= r.end) return;
  auto it = ranges_.upper_bound(r.begin);
  if (it != ranges_.begin()) {
    auto prev = std::prev(it);
    if (prev->second >= r.begin) {  // overlaps or touches the previous range
      r.begin = prev->first;
      r.end = std::max(r.end, prev->second);
      it = ranges_.erase(prev);
    }
  }
  while (it != ranges_.end() && it->first <= r.end) {
    r.end = std::max(r.end, it->second);
    it = ranges_.erase(it);
  }
  ranges_.emplace(r.begin, r.end);
}

void RangeSet::remove(Range r) {
  if (r.begin >= r.end) return;
  auto it = ranges_.upper_bound(r.begin);
  if (it != ranges_.begin()) --it;
  while (it != ranges_.end() && it->first < r.end) {
    const Range cur{it->first, it->second};
    if (cur.end <= r.begin) {
      ++it;
      continue;
    }
    it = ranges_.erase(it);
    if (cur.begin < r.begin) ranges_.emplace(cur.begin, r.begin);
    if (cur.end > r.end) it = ranges_.emplace(r.end, cur.end).first;
  }
}

std::optional<Range> RangeSet::pop_front(std::uint64_t max_len) {
  if (ranges_.empty() || max_len == 0) return std::nullopt;
  auto it = ranges_.begin();
  // Compare sizes, not ends: begin + max_len may wrap for a large max_len.
  Range r{it->first, it->first + std::min(it->second - it->first, max_len)};
  const auto end = it->second;
  ranges_.erase(it);
  if (r.end < end) ranges_.emplace(r.end, end);
  return r;
}

std::optional<Range> RangeSet::front() const {
  if (ranges_.empty()) return std::nullopt;
  return Range{ranges_.begin()->first, ranges_.begin()->second};
}

bool RangeSet::contains(std::uint64_t offset) const {
  auto it = ranges_.upper_bound(offset);
  if (it == ranges_.begin()) return false;
  return std::prev(it)->second > offset;
}

void RangeSet::merge_from(RangeSet& other) {
  for (const auto& [b, e] : other.ranges_) add({b, e});
  other.clear();
}

std::uint64_t RangeSet::total() const {
  std::uint64_t n = 0;
  for (const auto& [b, e] : ranges_) n += e - b;
  return n;
}

std::vector<Range> RangeSet::to_vector() const {
  std::vector<Range> out;
  out.reserve(ranges_.size());
  for (const auto& [begin, end] : ranges_) out.push_back({begin, end});
  return out;
}

}  // namespace msocket::session
