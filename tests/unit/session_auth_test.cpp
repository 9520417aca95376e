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

TEST_CASE("auth: a client's requests carry rising counters, a server accepts each once", "[session]") {
  const Secret secret = shared_secret();
  ControlAuth client(secret), server(secret);
  auto first = sample_setup();
  auto second = sample_setup();
  client.sign_request(first);
  client.sign_request(second);
  CHECK(first.counter == 1);
  CHECK(second.counter == 2);
  CHECK(server.accept_request(first) == boost::system::error_code{});
  CHECK(server.accept_request(first) == errc::replayed);  // recorded and played again
  CHECK(server.accept_request(second) == boost::system::error_code{});
  CHECK(server.newest_accepted() == 2);
  auto forged = sample_setup();
  forged.counter = 9;
  CHECK(server.accept_request(forged) == errc::bad_auth);
  CHECK(server.newest_accepted() == 2);  // a forged counter moves nothing

  // The answer: only an authentic ok to this very request restarts the stream.
  auto answer = second;
  answer.code = static_cast<std::uint8_t>(wire::SetupStatus::ok);
  server.sign_answer(answer);
  CHECK(client.accepts_answer(second, answer));
  CHECK_FALSE(client.accepts_answer(first, answer));  // another request's
  auto refused = answer;
  refused.code = static_cast<std::uint8_t>(wire::SetupStatus::replayed);
  server.sign_answer(refused);
  CHECK_FALSE(client.accepts_answer(second, refused));
  auto tampered = answer;
  tampered.ack += 1;
  CHECK_FALSE(client.accepts_answer(second, tampered));
}

TEST_CASE("auth: RECONNECTs are fresh once, then repeats, stale or forged", "[session]") {
  const Secret secret = shared_secret();
  ControlAuth server(secret), client(secret), stranger(shared_secret());
  auto make = [](ControlAuth& from) {
    wire::Reconnect frame;
    frame.conn_id = 42;
    frame.address.port = 7000;
    from.sign_reconnect(frame);
    return frame;
  };
  const auto older = make(server);
  const auto newer = make(server);
  using Verdict = ControlAuth::Verdict;
  CHECK(client.accept_reconnect(newer) == Verdict::fresh);
  CHECK(client.accept_reconnect(newer) == Verdict::repeat);  // a retry: acknowledged, not acted on
  CHECK(client.accept_reconnect(older) == Verdict::stale);
  CHECK(client.accept_reconnect(make(stranger)) == Verdict::forged);
  const auto ack = client.reconnect_ack(newer);
  CHECK(ack.is_ack);
  CHECK(ack.counter == newer.counter);
  CHECK(server.verify_reconnect_ack(ack));
  CHECK_FALSE(server.verify_reconnect_ack(newer));  // not an ack
  CHECK(client.accept_reconnect(ack) == Verdict::forged);
}

TEST_CASE("auth: random ids", "[session]") {
  // Not a test of randomness, only that the calls work and vary.
  CHECK(random_u64() != random_u64());
  const auto a = random_u32(), b = random_u32(), c = random_u32();
  CHECK_FALSE((a == b && b == c));
}

}  // namespace msocket::session
