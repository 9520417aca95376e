#include "session/byte_ring.hpp"

#include <algorithm>
#include <cstring>

#include <boost/assert.hpp>

namespace msocket::session {

ByteRing::ByteRing(std::size_t max_capacity, std::size_t initial_capacity)
    : max_capacity_(max_capacity), initial_capacity_(std::max<std::size_t>(1, std::min(initial_capacity, max_capacity))) {
  BOOST_ASSERT(max_capacity > 0);
}

void ByteRing::write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
  BOOST_ASSERT(offset >= base_ && offset + bytes.size() <= base_ + max_capacity_);
  if (bytes.empty()) return;
  grow_to_cover(offset + bytes.size());
  const std::size_t cap = buffer_.size();
  const std::size_t pos = position(offset);
  const std::size_t first = std::min(bytes.size(), cap - pos);
  std::memcpy(buffer_.data() + pos, bytes.data(), first);
  if (first < bytes.size()) std::memcpy(buffer_.data(), bytes.data() + first, bytes.size() - first);
  high_ = std::max(high_, offset + bytes.size());
}

void ByteRing::read_at(std::uint64_t offset, std::span<std::byte> out) const {
  BOOST_ASSERT(offset >= base_ && offset + out.size() <= base_ + buffer_.size());
  if (out.empty()) return;
  const std::size_t cap = buffer_.size();
  const std::size_t pos = position(offset);
  const std::size_t first = std::min(out.size(), cap - pos);
  std::memcpy(out.data(), buffer_.data() + pos, first);
  if (first < out.size()) std::memcpy(out.data() + first, buffer_.data(), out.size() - first);
}

std::span<std::byte> ByteRing::writable_span(std::uint64_t offset, std::size_t max) {
  BOOST_ASSERT(offset >= base_ && offset + max <= base_ + max_capacity_);
  if (max == 0) return {};
  grow_to_cover(offset + max);
  const std::size_t pos = position(offset);
  return {buffer_.data() + pos, std::min(max, buffer_.size() - pos)};
}

std::span<const std::byte> ByteRing::readable_span(std::uint64_t offset, std::size_t max) const {
  BOOST_ASSERT(offset >= base_ && offset + max <= base_ + buffer_.size());
  if (max == 0) return {};
  const std::size_t pos = position(offset);
  return {buffer_.data() + pos, std::min(max, buffer_.size() - pos)};
}

void ByteRing::release_until(std::uint64_t offset) {
  BOOST_ASSERT(offset >= base_);
  base_ = offset;
  high_ = std::max(high_, base_);
  // Nothing is kept: the next bytes go to the start of the buffer, which a
  // stream that is read (or acked) as fast as it comes then keeps reusing
  // while it is still in the cache, instead of walking the whole buffer.
  if (high_ == base_) origin_ = base_;
}

bool ByteRing::free_if_empty() {
  if (high_ > base_) return buffer_.empty();
  RingMemory().swap(buffer_);
  return true;
}

void ByteRing::grow_to_cover(std::uint64_t end) {
  if (end <= base_ + buffer_.size()) return;
  std::size_t cap = std::max(buffer_.size(), initial_capacity_);
  while (cap < end - base_) cap = std::min(cap * 2, max_capacity_);
  // Re-lay the live bytes [base_, high_) at their positions in the larger ring.
  RingMemory bigger(cap);
  const std::uint64_t live_end = buffer_.empty() ? base_ : std::min<std::uint64_t>(high_, base_ + buffer_.size());
  for (std::uint64_t o = base_; o < live_end;) {
    const std::size_t src = position(o);
    const std::size_t dst = (o - origin_) % cap;
    const std::size_t n = std::min<std::uint64_t>(
        {live_end - o, buffer_.size() - src, cap - dst});
    std::memcpy(bigger.data() + dst, buffer_.data() + src, n);
    o += n;
  }
  buffer_.swap(bigger);
}

}  // namespace msocket::session
