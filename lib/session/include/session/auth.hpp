// Connection secret and authentication of control frames (docs/protocol.md
// §4). The secret is agreed by X25519 at NEW; every later SETUP (ADD_PATH,
// MIGRATE) and its answer carries an HMAC-SHA512-256 tag over its fields, so a
// stranger who learns a connection id can neither steal nor kill it.
#pragma once

#include <array>
#include <cstdint>

#include "msocket/error.hpp"
#include "session/types.hpp"
#include "wire/frame.hpp"
#include "wire/reconnect.hpp"

namespace msocket::session {

using Secret = std::array<std::byte, 32>;

struct KeyPair {
  wire::Key public_key{};
  std::array<std::byte, 32> secret_key{};
};

// Fresh X25519 key pair (libsodium's crypto_kx).
KeyPair generate_keypair();

// The connection secret from our key pair and the peer's public key.
// Errors: errc::bad_auth if the peer's key is unusable (e.g. a low-order point).
result<Secret> derive_secret(Role role, const KeyPair& ours, const wire::Key& peer_public);

// Tag of a SETUP (`answer` false) or SETUP_ACK (`answer` true): the direction
// is part of the tag so an answer cannot be replayed as a request.
wire::Mac setup_mac(const Secret& secret, const wire::Setup& setup, bool answer);
bool verify_setup_mac(const Secret& secret, const wire::Setup& setup, bool answer);
// Tag of a RECONNECT or RECONNECT_ACK (its is_ack field picks the direction).
wire::Mac reconnect_mac(const Secret& secret, const wire::Reconnect& frame);
bool verify_reconnect_mac(const Secret& secret, const wire::Reconnect& frame);

std::uint32_t random_u32();
std::uint64_t random_u64();

}  // namespace msocket::session
