#include "session/ring_memory.hpp"

#include <sys/mman.h>

#include <cstdint>
#include <cstdlib>
#include <new>

namespace msocket::session {

namespace {

constexpr std::size_t kHugePage = 2 << 20;  // x86-64's; elsewhere the advice only costs a little alignment

// AddressSanitizer watches malloc's blocks, not our own mappings: under it
// every ring comes from malloc, so that a stray access is still caught.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kOwnMappings = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kOwnMappings = false;
#else
constexpr bool kOwnMappings = true;
#endif
#else
constexpr bool kOwnMappings = true;
#endif

std::size_t round_up(std::size_t n) { return (n + kHugePage - 1) / kHugePage * kHugePage; }

}  // namespace

RingMemory::RingMemory(std::size_t size) : size_(size) {
  if (size == 0) return;
  if (size < kHugePage || !kOwnMappings) {
    bytes_ = static_cast<std::byte*>(std::malloc(size));
    if (!bytes_) throw std::bad_alloc();
    return;
  }
  // Map a huge page more than needed, then unmap the unaligned head and the
  // tail, so that exactly `mapped_` aligned bytes stay (malloc's aligned
  // allocations keep the slack).
  const std::size_t length = round_up(size);
  void* raw = ::mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) throw std::bad_alloc();
  const auto begin = reinterpret_cast<std::uintptr_t>(raw);
  const auto aligned = round_up(begin);
  if (aligned > begin) ::munmap(raw, aligned - begin);
  if (const auto tail = begin + length + kHugePage - (aligned + length))
    ::munmap(reinterpret_cast<void*>(aligned + length), tail);
  bytes_ = reinterpret_cast<std::byte*>(aligned);
  mapped_ = length;
  (void)::madvise(bytes_, mapped_, MADV_HUGEPAGE);  // best effort
}

RingMemory::~RingMemory() {
  if (mapped_ != 0) ::munmap(bytes_, mapped_);
  else std::free(bytes_);
}

}  // namespace msocket::session
