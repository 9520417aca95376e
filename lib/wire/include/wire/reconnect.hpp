// RECONNECT and RECONNECT_ACK (docs/protocol.md §2.7): the datagrams of the
// connectionless control channel a server uses to tell its clients where it
// moved (paper §III-B3, server mobility). One frame per UDP datagram, with
// the same 8-byte header as the stream frames, so a stray one on a flowpath
// is an unknown type there.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "msocket/error.hpp"
#include "wire/frame.hpp"

namespace msocket::wire {

inline constexpr std::uint8_t kReconnectType = 8;
inline constexpr std::uint8_t kReconnectAckType = 9;
// magic, version, 3 reserved, conn_id, counter, address (ip, port), mac
inline constexpr std::size_t kReconnectBodySize = 4 + 1 + 3 + 8 + 8 + 18 + kMacSize;
inline constexpr std::size_t kReconnectFrameSize = kHeaderSize + kReconnectBodySize;

struct Reconnect {
  bool is_ack = false;          // RECONNECT_ACK: the client's answer
  std::uint64_t conn_id = 0;
  std::uint64_t counter = 0;    // strictly increasing per connection and sender (§4)
  ControlAddress address;       // RECONNECT: where the server listens now; zero in the ack
  Mac mac{};                    // over every other field and the direction (§4)
  bool operator==(const Reconnect&) const = default;
};

using ReconnectDatagram = std::array<std::byte, kReconnectFrameSize>;

ReconnectDatagram encode(const Reconnect& frame);

// Decodes one whole datagram. Errors: errc::bad_frame for a wrong size, type,
// flags or reserved field; errc::bad_magic / errc::bad_version as for SETUP.
result<Reconnect> decode_reconnect(std::span<const std::byte> datagram);

// The body with the MAC zeroed: what the MAC covers.
std::array<std::byte, kReconnectBodySize> reconnect_body_for_mac(const Reconnect& frame);

}  // namespace msocket::wire
