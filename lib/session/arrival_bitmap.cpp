#include "session/arrival_bitmap.hpp"

#include <algorithm>
#include <bit>

#include <boost/assert.hpp>

namespace msocket::session {
namespace {

// 16 Ki offsets (2 KiB) first: honest reordering rarely spans more.
constexpr std::size_t kInitialWords = 256;

// `count` bits from `bit` on (a shift by 64 is undefined: a full word apart).
std::uint64_t mask_of(unsigned bit, unsigned count) {
  return count == 64 ? ~std::uint64_t{0} : ((std::uint64_t{1} << count) - 1) << bit;
}

}  // namespace

// One word more than the span: a span that starts mid-word covers one more.
ArrivalBitmap::ArrivalBitmap(std::size_t max_span)
    : max_words_((max_span + kWordBits - 1) / kWordBits + 1) {}

void ArrivalBitmap::mark(std::uint64_t low, std::uint64_t begin, std::uint64_t end) {
  BOOST_ASSERT(low <= begin && begin <= end);
  if (begin == end) return;
  grow_to_cover(low, end);
  assign(begin, end, true);
  max_end_ = std::max(max_end_, end);
}

std::uint64_t ArrivalBitmap::clear_through_run(std::uint64_t from, std::uint64_t to) {
  BOOST_ASSERT(from <= to);
  if (to >= max_end_) {
    // The run cannot start at or past max_end(); what lies below is cleared.
    if (from < max_end_) assign(from, max_end_, false);
    return to;
  }
  assign(from, to, false);
  // The run within `to`'s word, then whole words of marks, then the word
  // where it ends. It ends within one lap of the ring: the ring is larger
  // than the span of marks, and the words passed are cleared.
  std::size_t index = index_of(to);
  const auto bit = static_cast<unsigned>(to % kWordBits);
  auto run = static_cast<unsigned>(std::countr_one(words_[index] >> bit));
  words_[index] &= ~mask_of(bit, run);
  std::uint64_t offset = to + run;
  if (bit + run < kWordBits) return offset;
  for (index = next_index(index); words_[index] == ~Word{0}; index = next_index(index)) {
    words_[index] = 0;
    offset += kWordBits;
  }
  run = static_cast<unsigned>(std::countr_one(words_[index]));
  words_[index] &= ~mask_of(0, run);
  return offset + run;
}

// Sets or clears [begin, end): masks at the edges, whole words between
// filled in at most two stretches (the ring may wrap), which the compiler
// turns into memset: the bits must cost little beside copying the bytes.
void ArrivalBitmap::assign(std::uint64_t begin, std::uint64_t end, bool value) {
  if (words_.empty() || begin >= end) return;  // nothing ever marked: all clear already
  auto apply = [&](std::size_t index, Word mask) {
    words_[index] = value ? (words_[index] | mask) : (words_[index] & ~mask);
  };
  std::size_t index = index_of(begin);
  if (const auto bit = static_cast<unsigned>(begin % kWordBits); bit != 0 || end - begin < kWordBits) {
    const auto count = static_cast<unsigned>(std::min<std::uint64_t>(end - begin, kWordBits - bit));
    apply(index, mask_of(bit, count));
    begin += count;
    index = next_index(index);
  }
  for (std::uint64_t whole = (end - begin) / kWordBits; whole > 0;) {
    const auto stretch = static_cast<std::size_t>(std::min<std::uint64_t>(whole, words_.size() - index));
    std::fill_n(words_.begin() + static_cast<std::ptrdiff_t>(index), stretch, value ? ~Word{0} : Word{0});
    whole -= stretch;
    begin += stretch * kWordBits;
    index = (index + stretch) % words_.size();
  }
  if (begin < end) apply(index, mask_of(0, static_cast<unsigned>(end - begin)));
}

// Makes the ring hold [low rounded down to a word, end). Every marked offset
// lies in [low, max_end_), which the old ring held without overlap, and an
// offset's place within its word is the same in both rings: copy by word.
void ArrivalBitmap::free_words() { std::vector<Word>().swap(words_); }

void ArrivalBitmap::grow_to_cover(std::uint64_t low, std::uint64_t end) {
  const std::uint64_t first_word = low / kWordBits;
  const std::uint64_t words_needed = (end + kWordBits - 1) / kWordBits - first_word;
  BOOST_ASSERT(words_needed <= max_words_);
  if (words_needed <= words_.size()) return;
  std::size_t size = std::max(words_.size(), std::min(kInitialWords, max_words_));
  while (size < words_needed) size = std::min(size * 2, max_words_);
  std::vector<Word> bigger(size, 0);
  if (!words_.empty())
    for (std::uint64_t w = first_word; w * kWordBits < max_end_; ++w) bigger[w % size] = words_[w % words_.size()];
  words_.swap(bigger);
}

}  // namespace msocket::session
