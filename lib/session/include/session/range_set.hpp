// A set of disjoint half-open ranges [begin, end) of stream offsets, kept
// merged. Used for reassembly and for what must be sent again.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

namespace msocket::session {

struct Range {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
  std::uint64_t size() const { return end - begin; }
  bool operator==(const Range&) const = default;
};

class RangeSet {
 public:
  void add(Range r);
  void remove(Range r);
  void remove_below(std::uint64_t offset) { remove({0, offset}); }
  // Takes at most `max_len` bytes from the lowest range.
  std::optional<Range> pop_front(std::uint64_t max_len);
  std::optional<Range> front() const;
  bool contains(std::uint64_t offset) const;
  void merge_from(RangeSet& other);  // moves every range of `other` into this set
  bool empty() const { return ranges_.empty(); }
  std::uint64_t total() const;
  std::uint64_t max_end() const { return ranges_.empty() ? 0 : ranges_.rbegin()->second; }
  std::size_t count() const { return ranges_.size(); }
  void clear() { ranges_.clear(); }
  std::vector<Range> to_vector() const;  // the ranges, lowest first

 private:
  std::map<std::uint64_t, std::uint64_t> ranges_;  // begin -> end
};

}  // namespace msocket::session
