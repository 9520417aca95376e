// The storage of a ByteRing: bytes that are not zeroed by us (a ring writes
// each byte before it reads it), and for a large ring memory of its own,
// aligned for huge pages and marked for them (transparent huge pages in
// `madvise` mode). A stream copies through all of a large ring: with 4 KiB
// pages each copy needs a new TLB entry every 4 KiB.
#pragma once

#include <cstddef>
#include <utility>

namespace msocket::session {

class RingMemory {
 public:
  RingMemory() = default;
  // `size` bytes. Throws std::bad_alloc when there is no memory.
  explicit RingMemory(std::size_t size);
  ~RingMemory();
  RingMemory(RingMemory&& other) noexcept { swap(other); }
  RingMemory& operator=(RingMemory&& other) noexcept {
    RingMemory(std::move(other)).swap(*this);
    return *this;
  }

  std::byte* data() const { return bytes_; }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // Whether the bytes are a mapping of our own, aligned for huge pages
  // (not under AddressSanitizer, nor below 2 MiB).
  bool own_mapping() const { return mapped_ != 0; }
  void swap(RingMemory& other) noexcept {
    std::swap(bytes_, other.bytes_);
    std::swap(size_, other.size_);
    std::swap(mapped_, other.mapped_);
  }

 private:
  std::byte* bytes_ = nullptr;
  std::size_t size_ = 0;
  std::size_t mapped_ = 0;  // the length of our own mapping; 0 when from malloc
};

}  // namespace msocket::session
