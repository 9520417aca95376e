// The input language of fuzz_session: a first byte for the configuration,
// then steps. A step starts with one byte: its low four bits are the
// operation, the next two the path it concerns (PathId 1 to 4). Numbers
// follow in little-endian order; a step cut short ends the script. The seed
// generator (make_corpus.cpp) writes scripts with ScriptWriter.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace msocket::fuzz {

enum class SessionOp : std::uint8_t {
  frame = 0,        // a wire frame follows (wire::encode's bytes), given to on_frame
  data = 1,         // u32 offset, u16 length, u8 fin, u32 ack, u32 window: a DATA frame of the peer's stream
  ack = 2,          // u32 ack, u32 window: an ACK frame
  path_up = 3,      // u32 peer_ack, u32 peer_window, u8 (1: backup, 2: handshake RTT of 20 ms)
  path_down = 4,
  path_eof = 5,
  advance = 6,      // u16 milliseconds of the fake clock
  timer = 7,        // the clock jumps to next_deadline() (if within two days), then on_timer
  write = 8,        // u16 bytes the application writes
  read = 9,         // u16 bytes the application offers to read into
  shutdown = 10,    // shutdown_write
  delivered = 11,   // u32 bytes the path's TCP acked (path_delivered)
  rtt_sample = 12,  // u16 milliseconds (path_rtt_sample)
  abort = 13,
  peer_closed = 14,
  ping = 15,        // u8 token: a PING frame
};

inline constexpr unsigned kSessionPaths = 4;

class ScriptReader {
 public:
  explicit ScriptReader(std::span<const std::byte> in) : in_(in) {}
  bool empty() const { return in_.empty(); }
  std::span<const std::byte> rest() const { return in_; }
  void skip(std::size_t n) { in_ = in_.subspan(n); }
  // The next `size`-byte number, or nullopt (and nothing consumed) if cut short.
  std::optional<std::uint64_t> number(std::size_t size) {
    if (in_.size() < size) return std::nullopt;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < size; ++i) value |= std::to_integer<std::uint64_t>(in_[i]) << (8 * i);
    in_ = in_.subspan(size);
    return value;
  }

 private:
  std::span<const std::byte> in_;
};

class ScriptWriter {
 public:
  void step(SessionOp op, unsigned path_index = 0) {
    bytes_.push_back(std::byte(static_cast<std::uint8_t>(op) | ((path_index & 3) << 4)));
  }
  void number(std::uint64_t value, std::size_t size) {
    for (std::size_t i = 0; i < size; ++i) bytes_.push_back(std::byte(value >> (8 * i)));
  }
  void raw(std::span<const std::byte> bytes) { bytes_.insert(bytes_.end(), bytes.begin(), bytes.end()); }
  const std::vector<std::byte>& bytes() const { return bytes_; }

 private:
  std::vector<std::byte> bytes_;
};

}  // namespace msocket::fuzz
