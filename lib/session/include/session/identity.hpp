// The server's identity in the NEW handshake (docs/protocol.md §4.3): a
// listener that holds a name's key (Ed25519, the one its name record is
// signed with) signs the handshake, so a client that knows the name's key
// knows it talks to the name's owner and not to whoever answered first.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "wire/frame.hpp"

namespace msocket::session {

using IdentitySecret = std::array<std::byte, 64>;  // libsodium's Ed25519 layout: seed, then public key

// The public half of `secret`.
wire::IdentityKey identity_public_key(const IdentitySecret& secret);

// Signs the connection id and both ephemeral keys: the signature is of no
// use in any other handshake.
wire::Signature sign_handshake(const IdentitySecret& secret, std::uint64_t conn_id, const wire::Key& server_key,
                               const wire::Key& client_key);
bool verify_handshake(const wire::IdentityKey& key, const wire::Signature& signature, std::uint64_t conn_id,
                      const wire::Key& server_key, const wire::Key& client_key);

// Keys as users see and give them: base64 (RFC 4648, with padding), as
// `mnamed lookup` and the known-names file show them.
std::string identity_to_text(const wire::IdentityKey& key);
// False if `text` is not base64 of 32 bytes.
bool identity_from_text(std::string_view text, wire::IdentityKey& key);

}  // namespace msocket::session
