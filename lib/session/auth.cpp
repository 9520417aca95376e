#include "session/auth.hpp"

#include <cstring>
#include <stdexcept>

#include <sodium.h>

#include "sodium_bytes.hpp"

#include "wire/codec.hpp"

namespace msocket::session {
namespace {

void ensure_sodium() {
  static const int ready = sodium_init();
  if (ready < 0) throw std::runtime_error("libsodium failed to initialise");
}


}  // namespace

KeyPair generate_keypair() {
  ensure_sodium();
  KeyPair kp;
  crypto_kx_keypair(sodium_bytes(kp.public_key.data()), sodium_bytes(kp.secret_key.data()));
  return kp;
}

result<Secret> derive_secret(Role role, const KeyPair& ours, const wire::Key& peer_public) {
  ensure_sodium();
  // crypto_kx yields one key per direction; the secret binds both, ordered
  // client-to-server first so both ends compute the same bytes.
  std::array<unsigned char, crypto_kx_SESSIONKEYBYTES> rx{}, tx{};
  int rc = role == Role::client
               ? crypto_kx_client_session_keys(rx.data(), tx.data(), sodium_bytes(ours.public_key.data()),
                                               sodium_bytes(ours.secret_key.data()), sodium_bytes(peer_public.data()))
               : crypto_kx_server_session_keys(rx.data(), tx.data(), sodium_bytes(ours.public_key.data()),
                                               sodium_bytes(ours.secret_key.data()), sodium_bytes(peer_public.data()));
  if (rc != 0) return errc::bad_auth;
  const auto& c2s = role == Role::client ? tx : rx;
  const auto& s2c = role == Role::client ? rx : tx;
  crypto_generichash_state state;
  static constexpr char kLabel[] = "msocket connection secret v1";
  crypto_generichash_init(&state, nullptr, 0, sizeof(Secret));
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kLabel), sizeof kLabel);
  crypto_generichash_update(&state, c2s.data(), c2s.size());
  crypto_generichash_update(&state, s2c.data(), s2c.size());
  Secret secret{};
  crypto_generichash_final(&state, sodium_bytes(secret.data()), secret.size());
  sodium_memzero(rx.data(), rx.size());
  sodium_memzero(tx.data(), tx.size());
  return secret;
}

namespace {

// The direction byte keeps each kind of tag apart: 1 SETUP, 2 SETUP_ACK,
// 3 RECONNECT, 4 RECONNECT_ACK.
wire::Mac mac_of(const Secret& secret, unsigned char direction, std::span<const std::byte> body) {
  ensure_sodium();
  static_assert(crypto_auth_BYTES == wire::kMacSize && crypto_auth_KEYBYTES == sizeof(Secret));
  crypto_auth_hmacsha512256_state state;
  crypto_auth_hmacsha512256_init(&state, sodium_bytes(secret.data()), secret.size());
  crypto_auth_hmacsha512256_update(&state, &direction, 1);
  crypto_auth_hmacsha512256_update(&state, sodium_bytes(body.data()), body.size());
  wire::Mac mac{};
  crypto_auth_hmacsha512256_final(&state, sodium_bytes(mac.data()));
  return mac;
}

}  // namespace

wire::Mac setup_mac(const Secret& secret, const wire::Setup& setup, bool answer) {
  return mac_of(secret, answer ? 2 : 1, wire::setup_body_for_mac(setup));
}

bool verify_setup_mac(const Secret& secret, const wire::Setup& setup, bool answer) {
  const auto expected = setup_mac(secret, setup, answer);
  return sodium_memcmp(expected.data(), setup.mac.data(), expected.size()) == 0;
}

wire::Mac reconnect_mac(const Secret& secret, const wire::Reconnect& frame) {
  return mac_of(secret, frame.is_ack ? 4 : 3, wire::reconnect_body_for_mac(frame));
}

bool verify_reconnect_mac(const Secret& secret, const wire::Reconnect& frame) {
  const auto expected = reconnect_mac(secret, frame);
  return sodium_memcmp(expected.data(), frame.mac.data(), expected.size()) == 0;
}

void ControlAuth::sign_request(wire::Setup& request) {
  request.counter = ++last_outgoing_;
  request.mac = setup_mac(secret_, request, false);
}

bool ControlAuth::authentic_answer(const wire::Setup& request, const wire::Setup& answer,
                                   wire::SetupStatus status) const {
  return answer.code == static_cast<std::uint8_t>(status) && answer.conn_id == request.conn_id &&
         answer.path_id == request.path_id && answer.counter == request.counter &&
         verify_setup_mac(secret_, answer, true);
}

boost::system::error_code ControlAuth::accept_request(const wire::Setup& request) {
  if (!verify_setup_mac(secret_, request, false)) return errc::bad_auth;
  if (request.counter <= newest_incoming_) return errc::replayed;
  newest_incoming_ = request.counter;
  return {};
}

void ControlAuth::sign_reconnect(wire::Reconnect& frame) {
  frame.counter = ++last_outgoing_;
  frame.mac = reconnect_mac(secret_, frame);
}

bool ControlAuth::verify_reconnect_ack(const wire::Reconnect& ack) const {
  return ack.is_ack && verify_reconnect_mac(secret_, ack);
}

ControlAuth::Verdict ControlAuth::accept_reconnect(const wire::Reconnect& frame) {
  if (frame.is_ack || !verify_reconnect_mac(secret_, frame)) return Verdict::forged;
  if (frame.counter < newest_incoming_) return Verdict::stale;
  if (frame.counter == newest_incoming_) return Verdict::repeat;
  newest_incoming_ = frame.counter;
  return Verdict::fresh;
}

wire::Reconnect ControlAuth::reconnect_ack(const wire::Reconnect& frame) const {
  wire::Reconnect ack;
  ack.is_ack = true;
  ack.conn_id = frame.conn_id;
  ack.counter = frame.counter;
  ack.mac = reconnect_mac(secret_, ack);
  return ack;
}

std::uint32_t random_u32() {
  ensure_sodium();
  return randombytes_random();
}

std::uint64_t random_u64() {
  ensure_sodium();
  std::uint64_t v;
  randombytes_buf(&v, sizeof v);
  return v;
}

}  // namespace msocket::session
