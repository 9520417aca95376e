// Frame codec (docs/protocol.md §2). The expected bytes below are written by
// hand from the layouts in the protocol document, never produced by the
// encoder under test.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "wire/codec.hpp"

namespace msocket::wire {
namespace {

using Bytes = std::vector<std::byte>;

Bytes bytes(std::initializer_list<int> values) {
  Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

Bytes operator+(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// n bytes counting up from `first` (used for keys and MACs).
Bytes counting(int first, std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(first + static_cast<int>(i));
  return out;
}

// --- hand-written frames (§2 layouts, big-endian) ---------------------------

// §2.1 SETUP, kind MIGRATE.
const Bytes kSetupBody = bytes({0x4D, 0x53, 0x4B, 0x54,          // magic "MSKT"
                                0x02,                            // version
                                0x03,                            // kind: migrate
                                0x00, 0x00,                      // reserved
                                0xA1, 0xA2, 0xA3, 0xA4, 0xB1, 0xB2, 0xB3, 0xB4,  // conn id
                                0x00, 0x00, 0x00, 0x07,          // path id
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,  // ack
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x10, 0x00,  // window
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,  // counter
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // control ip
                                0x00, 0x00, 0xFF, 0xFF, 0xC0, 0x00, 0x02, 0x01,  // ::ffff:192.0.2.1
                                0x1F, 0x90})                     // control port 8080
                          + counting(0x20, 32)                   // public key
                          + counting(0x80, 32)                   // mac
                          + bytes({0x02, 0x00})                  // cipher: AES-256-GCM; reserved
                          + counting(0x40, 32)                   // identity key
                          + counting(0x60, 64);                  // signature
const Bytes kSetupHeader = bytes({0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0});
const Bytes kSetup = kSetupHeader + kSetupBody;
// §2.2 SETUP_ACK: the same body, status `closed`.
const Bytes kSetupAck = [] {
  Bytes b = bytes({0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xE0}) + kSetupBody;
  b[8 + 5] = std::byte{0x04};
  return b;
}();

// §2.3 DATA at offset 256, ack 42, window 65536, payload "abc".
const Bytes kData = bytes({0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1B,
                           0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
                           0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,
                           0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
                           'a', 'b', 'c'});
// §2.3 DATA with FIN at offset 259, no payload.
const Bytes kFin = bytes({0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x18,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,
                          0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00});
// §2.4 ACK.
const Bytes kAck = bytes({0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
                          0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                          0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18});
// §2.5 PING and PONG.
const Bytes kPing = bytes({0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
                           0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0x2A});
const Bytes kPong = bytes({0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08,
                           0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0x2A});
// §2.6 RESET with code 0x102.
const Bytes kReset = bytes({0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
                            0x00, 0x00, 0x01, 0x02});

Setup expected_setup(std::uint8_t code) {
  Setup s;
  s.version = 2;
  s.code = code;
  s.conn_id = 0xA1A2A3A4B1B2B3B4;
  s.path_id = 7;
  s.ack = 0x1000;
  s.window = 0x401000;
  s.counter = 9;
  s.control.ip = {std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0},
                  std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0xFF},
                  std::byte{0xFF}, std::byte{0xC0}, std::byte{0x00}, std::byte{0x02}, std::byte{0x01}};
  s.control.port = 8080;
  for (std::size_t i = 0; i < kKeySize; ++i) s.public_key[i] = static_cast<std::byte>(0x20 + i);
  for (std::size_t i = 0; i < kMacSize; ++i) s.mac[i] = static_cast<std::byte>(0x80 + i);
  s.cipher = kCipherAes256Gcm;
  for (std::size_t i = 0; i < kIdentityKeySize; ++i) s.identity[i] = static_cast<std::byte>(0x40 + i);
  for (std::size_t i = 0; i < kSignatureSize; ++i) s.signature[i] = static_cast<std::byte>(0x60 + i);
  return s;
}

struct Sample {
  const char* name;
  const Bytes* bytes;
};

const Sample kSamples[] = {{"setup", &kSetup}, {"setup_ack", &kSetupAck}, {"data", &kData},
                           {"fin", &kFin},     {"ack", &kAck},            {"ping", &kPing},
                           {"pong", &kPong},   {"reset", &kReset}};

Frame decode_ok(const Bytes& in) {
  auto d = decode(in);
  REQUIRE(d.has_value());
  CHECK(d->consumed == in.size());
  return d->frame;
}

boost::system::error_code decode_error(const Bytes& in) {
  auto d = decode(in);
  REQUIRE_FALSE(d.has_value());
  return d.error();
}

bool same_data(const DataFrame& a, const DataFrame& b) {
  return a.offset == b.offset && a.ack == b.ack && a.window == b.window && a.fin == b.fin &&
         std::equal(a.payload.begin(), a.payload.end(), b.payload.begin(), b.payload.end());
}

bool same_frame(const Frame& a, const Frame& b) {
  if (a.index() != b.index()) return false;
  if (const auto* d = std::get_if<DataFrame>(&a)) return same_data(*d, std::get<DataFrame>(b));
  return std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, DataFrame>) return false;
        else return x == std::get<T>(b);
      },
      a);
}

}  // namespace

TEST_CASE("decode: hand-written SETUP and SETUP_ACK", "[wire]") {
  const auto f = decode_ok(kSetup);
  REQUIRE(std::holds_alternative<SetupFrame>(f));
  CHECK(static_cast<const Setup&>(std::get<SetupFrame>(f)) ==
        expected_setup(static_cast<std::uint8_t>(SetupKind::migrate)));

  const auto g = decode_ok(kSetupAck);
  REQUIRE(std::holds_alternative<SetupAckFrame>(g));
  CHECK(static_cast<const Setup&>(std::get<SetupAckFrame>(g)) ==
        expected_setup(static_cast<std::uint8_t>(SetupStatus::closed)));
}

TEST_CASE("decode: hand-written DATA and FIN", "[wire]") {
  const auto f = decode_ok(kData);
  REQUIRE(std::holds_alternative<DataFrame>(f));
  const auto& d = std::get<DataFrame>(f);
  CHECK(d.offset == 256);
  CHECK(d.ack == 42);
  CHECK(d.window == 65536);
  CHECK_FALSE(d.fin);
  REQUIRE(d.payload.size() == 3);
  CHECK(d.payload[0] == std::byte{'a'});
  CHECK(d.payload[2] == std::byte{'c'});
  // The payload is a view into the input, not a copy.
  CHECK(d.payload.data() == kData.data() + 32);

  const auto g = decode_ok(kFin);
  const auto& fin = std::get<DataFrame>(g);
  CHECK(fin.fin);
  CHECK(fin.offset == 259);
  CHECK(fin.ack == 42);
  CHECK(fin.window == 65536);
  CHECK(fin.payload.empty());
}

TEST_CASE("decode: hand-written ACK, PING, PONG, RESET", "[wire]") {
  CHECK(std::get<AckFrame>(decode_ok(kAck)) == AckFrame{0x0102030405060708, 0x1112131415161718});
  CHECK(std::get<PingFrame>(decode_ok(kPing)) == PingFrame{0xDEADBEEF0000002A});
  CHECK(std::get<PongFrame>(decode_ok(kPong)) == PongFrame{0xDEADBEEF0000002A});
  CHECK(std::get<ResetFrame>(decode_ok(kReset)) == ResetFrame{0x102});
}

TEST_CASE("encode: produces the hand-written bytes", "[wire]") {
  for (const auto& sample : kSamples) {
    INFO(sample.name);
    const auto frame = decode_ok(*sample.bytes);
    CHECK(encoded_size(frame) == sample.bytes->size());
    Bytes out(sample.bytes->size() + 5, std::byte{0xEE});
    const auto n = encode(frame, out);
    REQUIRE(n == sample.bytes->size());
    CHECK(std::equal(sample.bytes->begin(), sample.bytes->end(), out.begin()));
    CHECK(out[n] == std::byte{0xEE});  // nothing written past the frame
  }
}

TEST_CASE("encode then decode gives the same frame", "[wire]") {
  const Bytes payload = counting(0, 1000);
  const Bytes big = Bytes(kMaxPayload, std::byte{0x5A});
  Setup s;
  s.code = static_cast<std::uint8_t>(SetupKind::new_connection);
  s.conn_id = 0x8000000100000000;
  s.path_id = 0xFFFFFFFF;
  s.ack = ~std::uint64_t{0};
  s.window = 1;
  s.counter = 0x0123456789ABCDEF;
  s.flags = kSetupBackup;
  s.control.port = 65535;
  s.public_key.fill(std::byte{0x77});
  AddressesFrame two{7000, 2, {}};
  two.ips[0].fill(std::byte{0x0A});
  two.ips[1].fill(std::byte{0xFE});
  AddressesFrame full{0, kMaxAddresses, {}};
  for (auto& ip : full.ips) ip.fill(std::byte{0x11});
  AddressesFrame relays{0, kMaxAddresses, true};
  for (std::size_t i = 0; i < kMaxAddresses; ++i) {
    relays.ips[i].fill(std::byte{static_cast<unsigned char>(0x20 + i)});
    relays.ports[i] = static_cast<std::uint16_t>(7800 + 1000 * i);
  }
  const Frame frames[] = {
      two,
      full,
      relays,
      AddressesFrame{0, 1, true},
      AddressesFrame{},
      SetupFrame{s},
      SetupAckFrame{s},
      DataFrame{0, 0, 0, false, payload},
      DataFrame{~std::uint64_t{0} - 5, 17, 1 << 20, false, std::span(payload).first(1)},
      DataFrame{1 << 30, 3, 4, true, {}},
      DataFrame{5, 6, 7, false, big},  // the largest payload allowed
      AckFrame{0, ~std::uint64_t{0}},
      PingFrame{0},
      PongFrame{~std::uint64_t{0}},
      ResetFrame{0xFFFFFFFF},
  };
  for (const auto& frame : frames) {
    INFO("frame index " << frame.index());
    Bytes out(encoded_size(frame) + 3, std::byte{0});
    const auto n = encode(frame, out);
    REQUIRE(n == encoded_size(frame));
    auto d = decode(out);  // trailing bytes are the next frame's, not this one's
    REQUIRE(d.has_value());
    CHECK(d->consumed == n);
    CHECK(same_frame(d->frame, frame));
  }
}

TEST_CASE("decode: back-to-back frames are taken one at a time", "[wire]") {
  const Bytes stream = kSetup + kData + kFin + kAck + kPing;
  std::span<const std::byte> rest(stream);
  std::vector<std::size_t> types;
  while (!rest.empty()) {
    auto d = decode(rest);
    REQUIRE(d.has_value());
    types.push_back(d->frame.index());
    rest = rest.subspan(d->consumed);
  }
  CHECK(types == std::vector<std::size_t>{0, 2, 2, 3, 4});
}

TEST_CASE("decode: every truncation asks for more", "[wire]") {
  for (const auto& sample : kSamples) {
    INFO(sample.name);
    for (std::size_t len = 0; len < sample.bytes->size(); ++len) {
      INFO("length " << len);
      const auto d = decode(std::span(*sample.bytes).first(len));
      REQUIRE_FALSE(d.has_value());
      CHECK(d.error() == errc::need_more);
    }
  }
}

TEST_CASE("decode: corrupted header fields", "[wire]") {
  SECTION("unknown type") {
    for (int type : {0x00, 0x08, 0x09, 0x0B, 0x10, 0xFF}) {
      Bytes b = kAck;
      b[0] = static_cast<std::byte>(type);
      CHECK(decode_error(b) == errc::bad_frame);
      CHECK(decode_error(Bytes(b.begin(), b.begin() + 8)) == errc::bad_frame);  // header alone
    }
  }
  SECTION("non-zero reserved field") {
    for (const auto& sample : kSamples) {
      for (std::size_t i : {2, 3}) {
        INFO(sample.name << " byte " << i);
        Bytes b = *sample.bytes;
        b[i] = std::byte{0x01};
        CHECK(decode_error(b) == errc::bad_frame);
      }
    }
  }
  SECTION("flags on a frame other than DATA") {
    for (const Bytes* b : {&kSetup, &kSetupAck, &kAck, &kPing, &kPong, &kReset}) {
      for (int flags : {0x01, 0x02, 0x80}) {
        Bytes c = *b;
        c[1] = static_cast<std::byte>(flags);
        CHECK(decode_error(c) == errc::bad_frame);
      }
    }
  }
  SECTION("DATA flags other than FIN") {
    for (int flags : {0x02, 0x03, 0x80}) {
      Bytes c = kData;
      c[1] = static_cast<std::byte>(flags);
      CHECK(decode_error(c) == errc::bad_frame);
    }
  }
  SECTION("oversized body length is refused from the header alone") {
    // 24 fixed bytes + the largest payload is the largest body there is.
    const Bytes at_limit = bytes({0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x18});
    CHECK(decode_error(at_limit) == errc::need_more);
    for (const auto& header : {bytes({0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x19}),
                               bytes({0x03, 0x01, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF}),
                               bytes({0x01, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00}),
                               bytes({0x04, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00})}) {
      CHECK(decode_error(header) == errc::bad_frame);
    }
  }
}

TEST_CASE("decode: DATA consistency", "[wire]") {
  SECTION("FIN with payload") {
    Bytes b = kData;
    b[1] = std::byte{0x01};
    CHECK(decode_error(b) == errc::bad_frame);
  }
  SECTION("empty DATA without FIN") {
    Bytes b = kFin;
    b[1] = std::byte{0x00};
    CHECK(decode_error(b) == errc::bad_frame);
  }
  SECTION("body shorter than the fixed fields") {
    for (int len = 0; len < 24; ++len) {
      Bytes b = bytes({0x03, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, len}) + Bytes(len, std::byte{0});
      CHECK(decode_error(b) == errc::bad_frame);
    }
  }
  SECTION("the largest payload is accepted, one more byte is not") {
    Bytes header = bytes({0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x18});
    Bytes b = header + Bytes(24 + kMaxPayload, std::byte{0x01});
    const auto f = decode_ok(b);
    CHECK(std::get<DataFrame>(f).payload.size() == kMaxPayload);
  }
}

TEST_CASE("decode: wrong body length for fixed-size frames", "[wire]") {
  struct Case {
    int type;
    int good;
  };
  for (const auto c : {Case{0x01, 224}, Case{0x02, 224}, Case{0x04, 16}, Case{0x05, 8},
                       Case{0x06, 8}, Case{0x07, 4}}) {
    for (int len : {0, c.good - 1, c.good + 1}) {
      INFO("type " << c.type << " length " << len);
      Bytes b = bytes({c.type, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, len});
      // A SETUP body starts right, so only its length is wrong.
      Bytes body = (c.type <= 2) ? kSetupBody : Bytes(300, std::byte{0});
      body.resize(static_cast<std::size_t>(len));
      CHECK(decode_error(b + body) == errc::bad_frame);
    }
  }
}

TEST_CASE("decode: SETUP of another protocol or version", "[wire]") {
  for (const Bytes* sample : {&kSetup, &kSetupAck}) {
    SECTION("bad magic") {
      for (std::size_t i = 8; i < 12; ++i) {
        Bytes b = *sample;
        b[i] ^= std::byte{0x20};
        CHECK(decode_error(b) == errc::bad_magic);
      }
    }
    SECTION("bad version") {
      for (int version : {0, 1, 3, 0xFF}) {
        Bytes b = *sample;
        b[12] = static_cast<std::byte>(version);
        CHECK(decode_error(b) == errc::bad_version);
      }
    }
    SECTION("unknown flag bits in the body") {
      for (int i : {14, 15}) {
        for (int bit = 0; bit < 8; ++bit) {
          if (i == 15 && bit == 0) continue;  // kSetupBackup
          Bytes b = *sample;
          b[static_cast<std::size_t>(i)] = static_cast<std::byte>(1 << bit);
          CHECK(decode_error(b) == errc::bad_frame);
        }
      }
    }
    SECTION("the backup flag") {
      Bytes b = *sample;
      b[15] = std::byte{0x01};
      auto d = decode(b);
      REQUIRE(d.has_value());
      const Setup* s = std::get_if<SetupFrame>(&d->frame);
      if (!s) s = std::get_if<SetupAckFrame>(&d->frame);
      REQUIRE(s);
      CHECK(s->flags == kSetupBackup);
    }
  }
}

TEST_CASE("decode: ADDRESSES of a wrong shape", "[wire]") {
  // type 10, body: port 7000, count 1, reserved 0, one address.
  Bytes one = {std::byte{10}, std::byte{0}, std::byte{0}, std::byte{0},
               std::byte{0}, std::byte{0}, std::byte{0}, std::byte{20},
               std::byte{0x1B}, std::byte{0x58}, std::byte{1}, std::byte{0}};
  one.resize(one.size() + 16, std::byte{0x0A});
  auto d = decode(one);
  REQUIRE(d.has_value());
  const auto& a = std::get<AddressesFrame>(d->frame);
  CHECK(a.port == 7000);
  CHECK(a.count == 1);
  SECTION("a count that the length does not match") {
    Bytes b = one;
    b[10] = std::byte{2};
    CHECK(decode_error(b) == errc::bad_frame);
  }
  SECTION("more addresses than allowed") {
    Bytes b = one;
    b[10] = std::byte{kMaxAddresses + 1};
    b[7] = std::byte{4 + 16 * (kMaxAddresses + 1)};
    b.resize(kHeaderSize + 4 + 16 * (kMaxAddresses + 1), std::byte{0});
    CHECK(decode_error(b) == errc::bad_frame);
  }
  SECTION("a kind that is neither a host's addresses nor relays") {
    Bytes b = one;
    b[11] = std::byte{2};
    CHECK(decode_error(b) == errc::bad_frame);
  }
  SECTION("relays, each with its port") {
    Bytes b = one;
    b[8] = b[9] = std::byte{0};
    b[11] = std::byte{kAddressesOfRelays};
    b[7] = std::byte{4 + 18};
    b.push_back(std::byte{0x1E});
    b.push_back(std::byte{0x78});
    auto relayed = decode(b);
    REQUIRE(relayed.has_value());
    const auto& r = std::get<AddressesFrame>(relayed->frame);
    CHECK(r.relays);
    CHECK(r.count == 1);
    CHECK(r.ports[0] == 7800);
    SECTION("but a port of the list's own") {
      b[9] = std::byte{1};
      CHECK(decode_error(b) == errc::bad_frame);
    }
    SECTION("or 16 bytes an entry") {
      b[7] = std::byte{4 + 16};
      b.resize(b.size() - 2);
      CHECK(decode_error(b) == errc::bad_frame);
    }
  }
  SECTION("a body shorter than its fixed part") {
    Bytes b(one.begin(), one.begin() + 10);
    b[7] = std::byte{2};
    CHECK(decode_error(b) == errc::bad_frame);
  }
}

TEST_CASE("encode: a buffer too small gets nothing", "[wire]") {
  for (const auto& sample : kSamples) {
    INFO(sample.name);
    const auto frame = decode_ok(*sample.bytes);
    for (std::size_t size : {std::size_t{0}, std::size_t{1}, sample.bytes->size() - 1}) {
      Bytes out(size, std::byte{0xEE});
      CHECK(encode(frame, out) == 0);
      CHECK(std::all_of(out.begin(), out.end(), [](std::byte b) { return b == std::byte{0xEE}; }));
    }
  }
  SECTION("DATA prefix") {
    Bytes out(kDataPrefixSize - 1);
    CHECK(encode_data_prefix(DataFrame{}, 10, out) == 0);
    Bytes room(kDataPrefixSize);
    CHECK(encode_data_prefix(DataFrame{}, kMaxPayload + 1, room) == 0);
    CHECK(encode_data_prefix(DataFrame{}, kMaxPayload, room) == kDataPrefixSize);
  }
}

TEST_CASE("encode_data_prefix writes the header of the whole frame", "[wire]") {
  DataFrame d;
  d.offset = 256;
  d.ack = 42;
  d.window = 65536;
  Bytes out(kDataPrefixSize + 3);
  REQUIRE(encode_data_prefix(d, 3, out) == kDataPrefixSize);
  out[32] = std::byte{'a'};
  out[33] = std::byte{'b'};
  out[34] = std::byte{'c'};
  CHECK(out == kData);
}

TEST_CASE("setup_body_for_mac is the body with the MAC zeroed", "[wire]") {
  const auto body = setup_body_for_mac(expected_setup(3));
  Bytes expected = kSetupBody;
  std::fill(expected.begin() + 94, expected.begin() + 126, std::byte{0});
  CHECK(Bytes(body.begin(), body.end()) == expected);
  static_assert(kSetupBodySize == 224);
}

TEST_CASE("decode: a SETUP of protocol v1 is bad_version, not garbage", "[wire]") {
  // v1's body was 126 bytes: the v2 body without the cipher and identity.
  Bytes v1 = bytes({0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x7E}) + Bytes(kSetupBody.begin(), kSetupBody.begin() + 126);
  v1[12] = std::byte{0x01};
  CHECK(decode_error(v1) == errc::bad_version);
  v1[12] = std::byte{0x02};  // v2 in a v1 body: malformed
  CHECK(decode_error(v1) == errc::bad_frame);
}

TEST_CASE("version_answer: a v1-sized SETUP_ACK with our version", "[wire]") {
  const auto answer = version_answer();
  REQUIRE(answer.size() == kHeaderSize + 126);
  CHECK(answer[0] == std::byte{0x02});
  CHECK(answer[7] == std::byte{0x7E});
  CHECK(answer[12] == std::byte{kVersion});
  CHECK(decode_error(Bytes(answer.begin(), answer.end())) == errc::bad_frame);  // v2 reads it as malformed
}

TEST_CASE("decode: unknown cipher bits or a non-zero reserved byte after them", "[wire]") {
  for (int i : {126, 127}) {
    Bytes b = kSetup;
    b[8 + static_cast<std::size_t>(i)] = std::byte{0x04};
    CHECK(decode_error(b) == errc::bad_frame);
  }
}

}  // namespace msocket::wire
