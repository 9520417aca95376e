// The input buffer (paper §III-B2): reassembles stream bytes that arrive out
// of order or twice (from several flowpaths, or re-sent after a migration)
// and hands them to the application in order. Bounded: the peer may send only
// below window(), and whatever it sends there the buffer holds at most the
// window in bytes plus an eighth of it in arrival bits (allocated()).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "msocket/error.hpp"
#include "session/byte_ring.hpp"
#include "session/arrival_bitmap.hpp"

namespace msocket::session {

class RecvBuffer {
 public:
  explicit RecvBuffer(std::size_t capacity);

  // Stores bytes at `offset`; bytes already received are ignored.
  // Errors: errc::peer_ahead if any byte lies at or past window();
  // errc::bad_frame if bytes lie at or past a FIN already received.
  boost::system::error_code insert(std::uint64_t offset, std::span<const std::byte> bytes);
  // Records the peer's FIN at `offset` (docs/protocol.md §3.4).
  // Errors: errc::bad_frame if it contradicts an earlier FIN or bytes already
  // received past it; errc::peer_ahead if it lies past window().
  boost::system::error_code set_fin(std::uint64_t offset);

  // Copies in-order bytes into `out`; returns how many.
  std::size_t read(std::span<std::byte> out);
  std::size_t readable() const { return contiguous_ - read_; }
  // The next in-order bytes where they lie (fewer than readable() where the
  // ring wraps), for a reader that takes them without a copy; then
  // consume(n) with how many it took. Valid until the next insert.
  std::span<const std::byte> peek() const { return ring_.readable_span(read_, readable()); }
  void consume(std::size_t n);
  // The peer's FIN has been reached and every byte before it read.
  bool eof() const { return fin_ && read_ == *fin_; }
  // The FIN is in order (all bytes before it have arrived).
  bool fin_received() const { return fin_ && contiguous_ == *fin_; }

  // Cumulative ack: every offset below it has arrived (the FIN counts one).
  std::uint64_t ack() const { return fin_received() ? contiguous_ + 1 : contiguous_; }
  // The peer may send offsets below this.
  std::uint64_t window() const { return read_ + ring_.max_capacity(); }
  std::uint64_t read_offset() const { return read_; }
  // Heap bytes held: the bytes' ring and the out-of-order arrival bits. At
  // most window size * 9 / 8 + 16, whatever the peer sends.
  std::size_t allocated() const { return ring_.allocated() + beyond_.allocated(); }
  // Gives the heap bytes back if nothing is held (every byte that arrived
  // was read, none waits out of order); the next insert allocates again.
  void free_if_empty();

 private:
  ByteRing ring_;
  std::uint64_t read_ = 0;        // next offset the application reads
  std::uint64_t contiguous_ = 0;  // every byte below it has arrived
  ArrivalBitmap beyond_;          // offsets received past contiguous_
  std::optional<std::uint64_t> fin_;
};

}  // namespace msocket::session
