// The server's signature of a NEW handshake (docs/protocol.md §4.3).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include <sodium.h>

#include "session/identity.hpp"

namespace msocket::session {
namespace {

IdentitySecret new_identity() {
  REQUIRE(sodium_init() >= 0);
  IdentitySecret secret{};
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  crypto_sign_keypair(pk.data(), reinterpret_cast<unsigned char*>(secret.data()));
  return secret;
}

wire::Key key_of(std::uint8_t fill) {
  wire::Key k{};
  k.fill(std::byte{fill});
  return k;
}

}  // namespace

TEST_CASE("identity: the signature binds the key to this handshake only", "[session][crypto]") {
  const auto secret = new_identity();
  const auto key = identity_public_key(secret);
  const auto signature = sign_handshake(secret, 0x1234, key_of(1), key_of(2));
  CHECK(verify_handshake(key, signature, 0x1234, key_of(1), key_of(2)));
  CHECK_FALSE(verify_handshake(key, signature, 0x1235, key_of(1), key_of(2)));  // another connection
  CHECK_FALSE(verify_handshake(key, signature, 0x1234, key_of(3), key_of(2)));  // a man in the middle's key
  CHECK_FALSE(verify_handshake(key, signature, 0x1234, key_of(1), key_of(3)));  // another client
  CHECK_FALSE(verify_handshake(identity_public_key(new_identity()), signature, 0x1234, key_of(1), key_of(2)));
}

TEST_CASE("identity: keys as text round-trip, and only 32-byte base64 is a key", "[session]") {
  const auto key = identity_public_key(new_identity());
  const auto text = identity_to_text(key);
  CHECK(text.size() == 44);
  wire::IdentityKey back{};
  REQUIRE(identity_from_text(text, back));
  CHECK(back == key);
  for (const std::string& bad : std::vector<std::string>{"", "not base64!", text.substr(0, 40), text + "AAAA", "AAAA"})
    CHECK_FALSE(identity_from_text(bad, back));
}

}  // namespace msocket::session
