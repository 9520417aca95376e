// A DATA frame's payload that poll_transmit left in the output buffer
// instead of copying it after the frame's prefix: a transport without a
// record layer can hand the kernel the frame prefixes and these slices in
// one gathered write, with no copy in user space.
#pragma once

#include <cstddef>
#include <span>

namespace msocket::session {

struct PayloadRef {
  std::byte* at = nullptr;            // where in `out` the payload belongs (its bytes there are not written)
  std::span<const std::byte> first;   // the output buffer's bytes
  std::span<const std::byte> second;  // the rest, where the output buffer wraps (else empty)
  std::size_t size() const { return first.size() + second.size(); }
};

}  // namespace msocket::session
