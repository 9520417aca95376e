// Connection secret and SETUP authentication (docs/protocol.md §4).
#include <catch2/catch.hpp>

#include "session/auth.hpp"

namespace msocket::session {
namespace {

wire::Setup sample_setup() {
  wire::Setup s;
  s.code = static_cast<std::uint8_t>(wire::SetupKind::migrate);
  s.conn_id = 0x1234567800000001;
  s.path_id = 3;
  s.ack = 1000;
  s.window = 5000;
  s.counter = 7;
  s.control.ip[15] = std::byte{1};
  s.control.port = 4000;
  return s;
}

Secret shared_secret() {
  const auto client = generate_keypair();
  const auto server = generate_keypair();
  auto s = derive_secret(Role::client, client, server.public_key);
  REQUIRE(s.has_value());
  return *s;
}

}  // namespace

TEST_CASE("auth: both sides derive the same secret", "[session]") {
  const auto client = generate_keypair();
  const auto server = generate_keypair();
  CHECK(client.public_key != server.public_key);
  const auto c = derive_secret(Role::client, client, server.public_key);
  const auto s = derive_secret(Role::server, server, client.public_key);
  REQUIRE(c.has_value());
  REQUIRE(s.has_value());
  CHECK(*c == *s);
  CHECK(*c != Secret{});

  SECTION("another key pair gives another secret") {
    const auto other = generate_keypair();
    const auto o = derive_secret(Role::client, other, server.public_key);
    REQUIRE(o.has_value());
    CHECK(*o != *c);
  }
  SECTION("both sides taking the same role do not agree") {
    const auto s2 = derive_secret(Role::client, server, client.public_key);
    REQUIRE(s2.has_value());
    CHECK(*s2 != *c);
  }
}

TEST_CASE("auth: an unusable peer key is refused", "[session]") {
  const auto ours = generate_keypair();
  const auto r = derive_secret(Role::client, ours, wire::Key{});  // all zero: low order
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error() == errc::bad_auth);
}

TEST_CASE("auth: the SETUP MAC", "[session]") {
  const Secret secret = shared_secret();
  auto setup = sample_setup();
  setup.mac = setup_mac(secret, setup, false);
  CHECK(setup.mac != wire::Mac{});
  CHECK(verify_setup_mac(secret, setup, false));

  SECTION("the MAC field itself is not covered") {
    auto other = setup;
    other.mac.fill(std::byte{0x55});
    CHECK(setup_mac(secret, other, false) == setup.mac);
  }
  SECTION("the wrong direction fails") {
    CHECK_FALSE(verify_setup_mac(secret, setup, true));
    auto answer = setup;
    answer.mac = setup_mac(secret, answer, true);
    CHECK(answer.mac != setup.mac);
    CHECK(verify_setup_mac(secret, answer, true));
  }
  SECTION("the wrong secret fails") {
    CHECK_FALSE(verify_setup_mac(shared_secret(), setup, false));
    Secret flipped = secret;
    flipped[31] ^= std::byte{1};
    CHECK_FALSE(verify_setup_mac(flipped, setup, false));
  }
  SECTION("a changed field fails") {
    auto changed = [&](auto mutate) {
      auto s = setup;
      mutate(s);
      return verify_setup_mac(secret, s, false);
    };
    CHECK_FALSE(changed([](wire::Setup& s) { s.code = 2; }));
    CHECK_FALSE(changed([](wire::Setup& s) { s.conn_id ^= 1; }));
    CHECK_FALSE(changed([](wire::Setup& s) { s.path_id = 4; }));
    CHECK_FALSE(changed([](wire::Setup& s) { s.ack += 1; }));
    CHECK_FALSE(changed([](wire::Setup& s) { s.window -= 1; }));
    CHECK_FALSE(changed([](wire::Setup& s) { s.counter = 8; }));
    CHECK_FALSE(changed([](wire::Setup& s) { s.control.ip[0] = std::byte{1}; }));
    CHECK_FALSE(changed([](wire::Setup& s) { s.control.port = 4001; }));
    CHECK_FALSE(changed([](wire::Setup& s) { s.public_key[9] = std::byte{1}; }));
    CHECK_FALSE(changed([](wire::Setup& s) { s.mac[0] ^= std::byte{1}; }));
  }
}

TEST_CASE("auth: random ids", "[session]") {
  // Not a test of randomness, only that the calls work and vary.
  CHECK(random_u64() != random_u64());
  const auto a = random_u32(), b = random_u32(), c = random_u32();
  CHECK_FALSE((a == b && b == c));
}

}  // namespace msocket::session
