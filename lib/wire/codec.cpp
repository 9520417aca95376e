#include "wire/codec.hpp"

#include <algorithm>
#include <cstring>

namespace msocket::wire {
namespace {

// Big-endian readers and writers over spans whose size the caller checked.
class Reader {
 public:
  explicit Reader(std::span<const std::byte> in) : in_(in) {}
  std::uint8_t u8() { return static_cast<std::uint8_t>(in_[pos_++]); }
  std::uint16_t u16() { return static_cast<std::uint16_t>(read(2)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(read(4)); }
  std::uint64_t u64() { return read(8); }
  template <std::size_t N>
  void bytes(std::array<std::byte, N>& out) {
    std::memcpy(out.data(), in_.data() + pos_, N);
    pos_ += N;
  }
  std::span<const std::byte> rest() const { return in_.subspan(pos_); }

 private:
  std::uint64_t read(std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(in_[pos_ + i]);
    pos_ += n;
    return v;
  }
  std::span<const std::byte> in_;
  std::size_t pos_ = 0;
};

class Writer {
 public:
  explicit Writer(std::span<std::byte> out) : out_(out) {}
  void u8(std::uint8_t v) { out_[pos_++] = std::byte{v}; }
  void u16(std::uint16_t v) { write(v, 2); }
  void u32(std::uint32_t v) { write(v, 4); }
  void u64(std::uint64_t v) { write(v, 8); }
  template <std::size_t N>
  void bytes(const std::array<std::byte, N>& in) {
    std::memcpy(out_.data() + pos_, in.data(), N);
    pos_ += N;
  }
  void bytes(std::span<const std::byte> in) {
    if (!in.empty()) std::memcpy(out_.data() + pos_, in.data(), in.size());
    pos_ += in.size();
  }
  std::size_t size() const { return pos_; }

 private:
  void write(std::uint64_t v, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out_[pos_ + i] = std::byte(v >> (8 * (n - 1 - i)));
    pos_ += n;
  }
  std::span<std::byte> out_;
  std::size_t pos_ = 0;
};

constexpr std::size_t kDataFixed = 24;  // offset, ack, window
constexpr std::uint8_t kFlagFin = 0x01;

std::size_t body_size(const Frame& frame) {
  return std::visit(
      [](const auto& f) -> std::size_t {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, SetupFrame> || std::is_same_v<T, SetupAckFrame>)
          return kSetupBodySize;
        else if constexpr (std::is_same_v<T, DataFrame>)
          return kDataFixed + f.payload.size();
        else if constexpr (std::is_same_v<T, AckFrame>)
          return 16;
        else if constexpr (std::is_same_v<T, PingFrame> || std::is_same_v<T, PongFrame>)
          return 8;
        else if constexpr (std::is_same_v<T, AddressesFrame>)
          return 4 + (f.relays ? 18 : 16) * std::size_t{std::min<std::uint8_t>(f.count, kMaxAddresses)};
        else
          return 4;
      },
      frame);
}

FrameType type_of(const Frame& frame) {
  static constexpr FrameType kTypes[] = {FrameType::setup, FrameType::setup_ack, FrameType::data,
                                         FrameType::ack,   FrameType::ping,      FrameType::pong,
                                         FrameType::reset, FrameType::addresses};
  return kTypes[frame.index()];
}

void write_header(Writer& w, FrameType type, std::uint8_t flags, std::size_t body) {
  w.u8(static_cast<std::uint8_t>(type));
  w.u8(flags);
  w.u16(0);
  w.u32(static_cast<std::uint32_t>(body));
}

void write_setup(Writer& w, const Setup& s, bool zero_mac) {
  w.u32(kMagic);
  w.u8(s.version);
  w.u8(s.code);
  w.u16(s.flags);
  w.u64(s.conn_id);
  w.u32(s.path_id);
  w.u64(s.ack);
  w.u64(s.window);
  w.u64(s.counter);
  w.bytes(s.control.ip);
  w.u16(s.control.port);
  w.bytes(s.public_key);
  if (zero_mac)
    w.bytes(Mac{});
  else
    w.bytes(s.mac);
  w.u8(s.cipher);
  w.u8(0);
  w.bytes(s.identity);
  w.bytes(s.signature);
}

// §2.1: a SETUP body of the wrong size, magic or version is refused as a
// whole; the peer gets no answer it could use to probe.
result<Setup> read_setup(std::span<const std::byte> body) {
  if (body.size() == kSetupBodySizeV1) {  // a v1 peer: say so rather than "malformed"
    Reader r(body);
    if (r.u32() != kMagic) return errc::bad_magic;
    return r.u8() == kVersion1 ? errc::bad_version : errc::bad_frame;
  }
  if (body.size() != kSetupBodySize) return errc::bad_frame;
  Reader r(body);
  Setup s;
  if (r.u32() != kMagic) return errc::bad_magic;
  s.version = r.u8();
  if (s.version != kVersion) return errc::bad_version;
  s.code = r.u8();
  s.flags = r.u16();
  if ((s.flags & ~kSetupKnownFlags) != 0) return errc::bad_frame;
  s.conn_id = r.u64();
  s.path_id = r.u32();
  s.ack = r.u64();
  s.window = r.u64();
  s.counter = r.u64();
  r.bytes(s.control.ip);
  s.control.port = r.u16();
  r.bytes(s.public_key);
  r.bytes(s.mac);
  s.cipher = r.u8();
  if ((s.cipher & ~kCipherKnown) != 0 || r.u8() != 0) return errc::bad_frame;
  r.bytes(s.identity);
  r.bytes(s.signature);
  return s;
}

result<Frame> read_data(std::uint8_t flags, std::span<const std::byte> body) {
  if (body.size() < kDataFixed) return errc::bad_frame;
  Reader r(body);
  DataFrame d;
  d.offset = r.u64();
  d.ack = r.u64();
  d.window = r.u64();
  d.fin = (flags & kFlagFin) != 0;
  d.payload = r.rest();
  if (d.fin && !d.payload.empty()) return errc::bad_frame;  // §2.3: FIN carries no bytes
  if (!d.fin && d.payload.empty()) return errc::bad_frame;  // an empty DATA is meaningless
  return d;
}

result<Frame> read_addresses(std::span<const std::byte> body) {
  if (body.size() < 4) return errc::bad_frame;
  Reader r(body);
  AddressesFrame a;
  a.port = r.u16();
  a.count = r.u8();
  const auto kind = r.u8();
  if (kind != kAddressesOfHost && kind != kAddressesOfRelays) return errc::bad_frame;
  a.relays = kind == kAddressesOfRelays;
  const std::size_t entry = a.relays ? 18 : 16;
  if (a.count > kMaxAddresses || body.size() != 4 + entry * std::size_t{a.count}) return errc::bad_frame;
  for (std::size_t i = 0; i < a.count; ++i) {
    r.bytes(a.ips[i]);
    if (a.relays) a.ports[i] = r.u16();
  }
  if (a.relays && a.port != 0) return errc::bad_frame;  // each relay has its own
  return a;
}

// The frame of `type` in `body`, whose length the header gave (§2).
result<Frame> read_body(FrameType type, std::uint8_t flags, std::span<const std::byte> body) {
  Reader r(body);
  auto fixed = [&](std::size_t n) { return body.size() == n; };
  switch (type) {
    case FrameType::setup:
    case FrameType::setup_ack: {
      auto s = read_setup(body);
      if (!s) return s.error();
      if (type == FrameType::setup) return SetupFrame{*s};
      return SetupAckFrame{*s};
    }
    case FrameType::data: return read_data(flags, body);
    case FrameType::ack: {
      if (!fixed(16)) return errc::bad_frame;
      AckFrame a;
      a.ack = r.u64();
      a.window = r.u64();
      return a;
    }
    case FrameType::ping:
      if (!fixed(8)) return errc::bad_frame;
      return PingFrame{r.u64()};
    case FrameType::pong:
      if (!fixed(8)) return errc::bad_frame;
      return PongFrame{r.u64()};
    case FrameType::reset:
      if (!fixed(4)) return errc::bad_frame;
      return ResetFrame{r.u32()};
    case FrameType::addresses: return read_addresses(body);
  }
  return errc::bad_frame;
}

}  // namespace

result<Decoded> decode(std::span<const std::byte> in) {
  if (in.size() < kHeaderSize) return errc::need_more;
  Reader h(in.first(kHeaderSize));
  const auto type = h.u8();
  const auto flags = h.u8();
  const auto reserved = h.u16();
  const auto body_len = h.u32();
  if (reserved != 0) return errc::bad_frame;
  if ((type < 1 || type > 7) && type != 10) return errc::bad_frame;
  // Bound the body before waiting for it, so a hostile length cannot make
  // the reader buffer without limit.
  if (body_len > kDataFixed + kMaxPayload) return errc::bad_frame;
  const auto ftype = static_cast<FrameType>(type);
  if (flags != 0 && !(ftype == FrameType::data && flags == kFlagFin)) return errc::bad_frame;
  if (in.size() < kHeaderSize + body_len) return errc::need_more;
  auto frame = read_body(ftype, flags, in.subspan(kHeaderSize, body_len));
  if (!frame) return frame.error();
  return Decoded{std::move(*frame), kHeaderSize + body_len};
}

std::size_t encoded_size(const Frame& frame) { return kHeaderSize + body_size(frame); }

std::size_t encode(const Frame& frame, std::span<std::byte> out) {
  const std::size_t body = body_size(frame);
  if (out.size() < kHeaderSize + body) return 0;
  if (const auto* d = std::get_if<DataFrame>(&frame)) {
    const auto n = encode_data_prefix(*d, d->payload.size(), out);
    if (!d->payload.empty()) std::memcpy(out.data() + n, d->payload.data(), d->payload.size());
    return n + d->payload.size();
  }
  Writer w(out);
  write_header(w, type_of(frame), 0, body);
  std::visit(
      [&w](const auto& f) {
        using T = std::decay_t<decltype(f)>;
        if constexpr (std::is_same_v<T, SetupFrame> || std::is_same_v<T, SetupAckFrame>) {
          write_setup(w, f, false);
        } else if constexpr (std::is_same_v<T, AckFrame>) {
          w.u64(f.ack);
          w.u64(f.window);
        } else if constexpr (std::is_same_v<T, PingFrame> || std::is_same_v<T, PongFrame>) {
          w.u64(f.token);
        } else if constexpr (std::is_same_v<T, ResetFrame>) {
          w.u32(f.code);
        } else if constexpr (std::is_same_v<T, AddressesFrame>) {
          const auto count = std::min<std::uint8_t>(f.count, kMaxAddresses);
          w.u16(f.relays ? 0 : f.port);
          w.u8(count);
          w.u8(f.relays ? kAddressesOfRelays : kAddressesOfHost);
          for (std::size_t i = 0; i < count; ++i) {
            w.bytes(f.ips[i]);
            if (f.relays) w.u16(f.ports[i]);
          }
        }
      },
      frame);
  return w.size();
}

std::size_t encode_data_prefix(const DataFrame& frame, std::size_t payload_size,
                               std::span<std::byte> out) {
  if (out.size() < kDataPrefixSize || payload_size > kMaxPayload) return 0;
  Writer w(out);
  write_header(w, FrameType::data, frame.fin ? kFlagFin : 0, kDataFixed + payload_size);
  w.u64(frame.offset);
  w.u64(frame.ack);
  w.u64(frame.window);
  return w.size();
}

std::array<std::byte, kSetupBodySize> setup_body_for_mac(const Setup& setup) {
  std::array<std::byte, kSetupBodySize> body{};
  Writer w(body);
  write_setup(w, setup, true);
  return body;
}

std::array<std::byte, kHeaderSize + kSetupBodySizeV1> version_answer() {
  std::array<std::byte, kHeaderSize + kSetupBodySizeV1> out{};
  Writer w(out);
  write_header(w, FrameType::setup_ack, 0, kSetupBodySizeV1);
  w.u32(kMagic);
  w.u8(kVersion);
  return out;  // the rest is zero
}

}  // namespace msocket::wire
