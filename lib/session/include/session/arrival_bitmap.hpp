// Which stream offsets of the input buffer's window have arrived out of order:
// one bit per offset, in a ring of 64-bit words that grows on demand up to
// the window (an idle or in-order connection holds none).
//
// Why bits and not ranges: a peer decides how ranges fragment. One that sends
// single bytes at offsets 1, 3, 5, ... would cost a range node per byte (over
// 100 MiB for a 4 MiB window); with bits the cost is the window / 8 whatever
// arrives. Nor may the receiver drop what it has no room to track: the sender
// sends a byte again only when its path fails, or as a copy while that path
// has not delivered it (docs/scheduler.md §1, §4.1), so a byte dropped after
// its path delivered it would stall the connection for good.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace msocket::session {

class ArrivalBitmap {
 public:
  // `max_span`: the most offsets marked at once (the receive window).
  explicit ArrivalBitmap(std::size_t max_span);

  // Marks [begin, end). Requires `low` <= begin <= end, no offset below `low`
  // marked, and end - low <= max_span.
  void mark(std::uint64_t low, std::uint64_t begin, std::uint64_t end);
  // Unmarks [from, to), then the run of marked offsets that starts at `to`;
  // returns the end of that run (`to` if `to` is not marked). Requires no
  // offset below `from` marked.
  std::uint64_t clear_through_run(std::uint64_t from, std::uint64_t to);

  // One past the highest offset ever marked (0 if none): nothing at or past
  // it is marked.
  std::uint64_t max_end() const { return max_end_; }
  std::size_t allocated() const { return words_.size() * sizeof(Word); }
  // Gives the words back. Requires nothing marked (every mark cleared).
  void free_words();

 private:
  using Word = std::uint64_t;
  static constexpr std::uint64_t kWordBits = 64;

  void grow_to_cover(std::uint64_t low, std::uint64_t end);
  void assign(std::uint64_t begin, std::uint64_t end, bool value);
  std::size_t index_of(std::uint64_t offset) const { return (offset / kWordBits) % words_.size(); }
  std::size_t next_index(std::size_t index) const { return index + 1 == words_.size() ? 0 : index + 1; }

  std::vector<Word> words_;
  std::uint64_t max_end_ = 0;
  std::size_t max_words_;
};

}  // namespace msocket::session
