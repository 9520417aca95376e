#include "wire/reconnect.hpp"

#include <cstring>

namespace msocket::wire {
namespace {

void put(std::byte*& p, std::uint64_t v, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) *p++ = std::byte(v >> (8 * (n - 1 - i)));
}

std::uint64_t get(const std::byte*& p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | std::to_integer<std::uint64_t>(*p++);
  return v;
}

void write_body(std::byte* p, const Reconnect& r, bool zero_mac) {
  put(p, kMagic, 4);
  put(p, kVersion, 1);
  put(p, 0, 3);
  put(p, r.conn_id, 8);
  put(p, r.counter, 8);
  std::memcpy(p, r.address.ip.data(), r.address.ip.size());
  p += r.address.ip.size();
  put(p, r.address.port, 2);
  if (zero_mac)
    std::memset(p, 0, kMacSize);
  else
    std::memcpy(p, r.mac.data(), kMacSize);
}

}  // namespace

ReconnectDatagram encode(const Reconnect& frame) {
  ReconnectDatagram out{};
  std::byte* p = out.data();
  put(p, frame.is_ack ? kReconnectAckType : kReconnectType, 1);
  put(p, 0, 3);
  put(p, kReconnectBodySize, 4);
  write_body(p, frame, false);
  return out;
}

result<Reconnect> decode_reconnect(std::span<const std::byte> datagram) {
  if (datagram.size() != kReconnectFrameSize) return errc::bad_frame;
  const std::byte* p = datagram.data();
  const auto type = get(p, 1);
  if (type != kReconnectType && type != kReconnectAckType) return errc::bad_frame;
  if (get(p, 3) != 0) return errc::bad_frame;  // flags and reserved
  if (get(p, 4) != kReconnectBodySize) return errc::bad_frame;
  if (get(p, 4) != kMagic) return errc::bad_magic;
  if (get(p, 1) != kVersion) return errc::bad_version;
  if (get(p, 3) != 0) return errc::bad_frame;
  Reconnect r;
  r.is_ack = type == kReconnectAckType;
  r.conn_id = get(p, 8);
  r.counter = get(p, 8);
  std::memcpy(r.address.ip.data(), p, r.address.ip.size());
  p += r.address.ip.size();
  r.address.port = static_cast<std::uint16_t>(get(p, 2));
  std::memcpy(r.mac.data(), p, kMacSize);
  return r;
}

std::array<std::byte, kReconnectBodySize> reconnect_body_for_mac(const Reconnect& frame) {
  std::array<std::byte, kReconnectBodySize> body{};
  write_body(body.data(), frame, true);
  return body;
}

}  // namespace msocket::wire
