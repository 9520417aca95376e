// Bytes of a window [base, base + max_capacity) of a 64-bit offset space,
// stored in a ring that is allocated on first use, grows on demand and can
// be given back while it holds nothing (an idle connection holds none).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include "session/ring_memory.hpp"

namespace msocket::session {

class ByteRing {
 public:
  // Nothing is allocated until the first write; then at least
  // `initial_capacity` (up to max_capacity).
  explicit ByteRing(std::size_t max_capacity, std::size_t initial_capacity = 16 * 1024);

  // Copies `bytes` to [offset, offset + size). Requires base() <= offset and
  // offset + size <= base() + max_capacity().
  void write_at(std::uint64_t offset, std::span<const std::byte> bytes);
  // Copies [offset, offset + out.size()) into `out`; same bounds.
  void read_at(std::uint64_t offset, std::span<std::byte> out) const;
  // The ring's own bytes from `offset` on, for the caller to fill: at most
  // `max`, fewer where the ring wraps. Same bounds as write_at. The span
  // lives until the next call that may grow the ring (write_at,
  // writable_span); what the caller put there counts once it has called
  // wrote_until.
  std::span<std::byte> writable_span(std::uint64_t offset, std::size_t max);
  // Marks [offset, end) as written through writable_span.
  void wrote_until(std::uint64_t end) { high_ = end > high_ ? end : high_; }
  // The ring's own bytes from `offset` on, at most `max`, fewer where the
  // ring wraps; same bounds as read_at.
  std::span<const std::byte> readable_span(std::uint64_t offset, std::size_t max) const;
  // Forgets everything below `offset` (which must not go backwards).
  void release_until(std::uint64_t offset);
  // Frees the storage if no byte at or above base() was written; the next
  // write allocates again. Returns whether the ring is now unallocated.
  bool free_if_empty();

  std::uint64_t base() const { return base_; }
  std::size_t max_capacity() const { return max_capacity_; }
  std::size_t allocated() const { return buffer_.size(); }

 private:
  void grow_to_cover(std::uint64_t end);
  std::size_t position(std::uint64_t offset) const { return (offset - origin_) % buffer_.size(); }

  RingMemory buffer_;
  std::uint64_t base_ = 0;
  std::uint64_t high_ = 0;  // highest offset written + 1: bytes past it need no copy on growth
  std::uint64_t origin_ = 0;  // the offset kept at the buffer's first byte (moved only while nothing is kept)
  std::size_t max_capacity_;
  std::size_t initial_capacity_;
};

}  // namespace msocket::session
