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

// The authentication of one connection's control frames (§4): the secret,
// the counter of the authenticated frames we send (a client's MIGRATE and
// ADD_PATH, a server's RECONNECT), and the newest counter accepted from the
// peer, so that no recorded frame can be played again to pull the
// connection back to an old address.
class ControlAuth {
 public:
  explicit ControlAuth(const Secret& secret) : secret_(secret) {}
  const Secret& secret() const { return secret_; }

  // Client: gives a MIGRATE or ADD_PATH request the next counter and its MAC.
  void sign_request(wire::Setup& request);
  // Client: whether `answer` is an authentic ok to `request`. Only such an
  // answer may restart the stream: a forged one could make us skip or
  // repeat bytes.
  bool accepts_answer(const wire::Setup& request, const wire::Setup& answer) const {
    return authentic_answer(request, answer, wire::SetupStatus::ok);
  }
  // Client: whether `answer` is an authentic `closed` to `request`: the
  // server buried the connection and still holds its secret (§3.4).
  bool accepts_closed(const wire::Setup& request, const wire::Setup& answer) const {
    return authentic_answer(request, answer, wire::SetupStatus::closed);
  }
  // Server: checks a MIGRATE or ADD_PATH request and, if it passes, takes
  // its counter as the newest. Errors: errc::bad_auth (MAC), errc::replayed
  // (a counter not newer than one accepted before).
  boost::system::error_code accept_request(const wire::Setup& request);
  // Server: the MAC of an answer to an accepted request.
  void sign_answer(wire::Setup& answer) const { answer.mac = setup_mac(secret_, answer, true); }

  // Server: gives a RECONNECT the next counter and its MAC.
  void sign_reconnect(wire::Reconnect& frame);
  // Server: whether a RECONNECT_ACK is authentic.
  bool verify_reconnect_ack(const wire::Reconnect& ack) const;
  // Client: what a RECONNECT is. `fresh` (newer than any before) is acted on
  // and acknowledged; `repeat` (a retry of the newest) only acknowledged;
  // `stale` (older) and `forged` (bad MAC) ignored.
  enum class Verdict { fresh, repeat, stale, forged };
  Verdict accept_reconnect(const wire::Reconnect& frame);
  // Client: the RECONNECT_ACK for `frame`.
  wire::Reconnect reconnect_ack(const wire::Reconnect& frame) const;

  std::uint64_t newest_accepted() const { return newest_incoming_; }

 private:
  // `answer` has `status`, echoes `request`'s ids and counter, and carries
  // the answer direction's MAC.
  bool authentic_answer(const wire::Setup& request, const wire::Setup& answer, wire::SetupStatus status) const;

  Secret secret_;
  std::uint64_t last_outgoing_ = 0;
  std::uint64_t newest_incoming_ = 0;
};

std::uint32_t random_u32();
std::uint64_t random_u64();

}  // namespace msocket::session
