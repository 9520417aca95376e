// RECONNECT and RECONNECT_ACK datagrams (docs/protocol.md §2.7) and their
// authentication (§4).
#include <catch2/catch.hpp>

#include "session/auth.hpp"
#include "wire/codec.hpp"
#include "wire/reconnect.hpp"

namespace msocket::wire {
namespace {

Reconnect sample() {
  Reconnect r;
  r.conn_id = 0x1122334455667788;
  r.counter = 3;
  r.address.ip[10] = std::byte{0xff};
  r.address.ip[11] = std::byte{0xff};
  r.address.ip[12] = std::byte{10};
  r.address.ip[15] = std::byte{2};
  r.address.port = 7000;
  r.mac[0] = std::byte{0xab};
  return r;
}

session::Secret secret_of(std::uint8_t fill) {
  session::Secret s;
  s.fill(std::byte{fill});
  return s;
}

}  // namespace

TEST_CASE("reconnect: round trip of both kinds", "[wire]") {
  for (bool ack : {false, true}) {
    auto r = sample();
    r.is_ack = ack;
    const auto bytes = encode(r);
    CHECK(bytes.size() == kReconnectFrameSize);
    CHECK(std::to_integer<int>(bytes[0]) == (ack ? 9 : 8));
    auto back = decode_reconnect(bytes);
    REQUIRE(back.has_value());
    CHECK(*back == r);
  }
}

TEST_CASE("reconnect: malformed datagrams are refused by kind", "[wire]") {
  const auto good = encode(sample());
  auto bytes = good;
  CHECK(decode_reconnect(std::span(bytes).first(bytes.size() - 1)).error() == errc::bad_frame);
  bytes = good;
  bytes[0] = std::byte{3};  // a DATA type
  CHECK(decode_reconnect(bytes).error() == errc::bad_frame);
  bytes = good;
  bytes[1] = std::byte{1};  // flags
  CHECK(decode_reconnect(bytes).error() == errc::bad_frame);
  bytes = good;
  bytes[kHeaderSize] = std::byte{0};  // magic
  CHECK(decode_reconnect(bytes).error() == errc::bad_magic);
  bytes = good;
  bytes[kHeaderSize + 4] = std::byte{3};  // version
  CHECK(decode_reconnect(bytes).error() == errc::bad_version);
  bytes = good;
  bytes[kHeaderSize + 6] = std::byte{1};  // reserved
  CHECK(decode_reconnect(bytes).error() == errc::bad_frame);
}

TEST_CASE("reconnect: a stray RECONNECT on a flowpath is an unknown frame type", "[wire]") {
  const auto bytes = encode(sample());
  CHECK(decode(bytes).error() == errc::bad_frame);
}

TEST_CASE("reconnect: the MAC covers every field and the direction", "[wire][session]") {
  const auto secret = secret_of(7);
  auto r = sample();
  r.mac = session::reconnect_mac(secret, r);
  CHECK(session::verify_reconnect_mac(secret, r));
  CHECK_FALSE(session::verify_reconnect_mac(secret_of(8), r));

  auto moved = r;
  moved.address.ip[15] = std::byte{3};  // another address: a forgery
  CHECK_FALSE(session::verify_reconnect_mac(secret, moved));
  auto older = r;
  older.counter = 2;
  CHECK_FALSE(session::verify_reconnect_mac(secret, older));
  auto as_ack = r;
  as_ack.is_ack = true;  // a RECONNECT cannot pass for its ack
  CHECK_FALSE(session::verify_reconnect_mac(secret, as_ack));

  // Nor can a SETUP's tag pass for a RECONNECT's, or the other way round.
  Setup setup;
  setup.conn_id = r.conn_id;
  setup.counter = r.counter;
  setup.mac = session::setup_mac(secret, setup, false);
  auto with_setup_tag = r;
  with_setup_tag.mac = setup.mac;
  CHECK_FALSE(session::verify_reconnect_mac(secret, with_setup_tag));
}

}  // namespace msocket::wire
