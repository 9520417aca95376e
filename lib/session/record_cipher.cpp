#include "session/record_cipher.hpp"

#include <sodium.h>

#include "sodium_bytes.hpp"

#include "wire/record.hpp"

namespace msocket::session {
namespace {


static_assert(crypto_aead_aes256gcm_ABYTES == wire::kRecordTagSize);
static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == wire::kRecordTagSize);
static_assert(crypto_aead_aes256gcm_NPUBBYTES == 12 && crypto_aead_chacha20poly1305_ietf_NPUBBYTES == 12);

}  // namespace

std::uint8_t ciphers_available() {
  if (sodium_init() < 0) return wire::kCipherNone;
  std::uint8_t set = wire::kCipherChaCha20Poly1305;
  if (crypto_aead_aes256gcm_is_available()) set |= wire::kCipherAes256Gcm;
  return set;
}

std::uint8_t choose_cipher(std::uint8_t offered) {
  const std::uint8_t shared = offered & ciphers_available();
  if (shared & wire::kCipherAes256Gcm) return wire::kCipherAes256Gcm;
  if (shared & wire::kCipherChaCha20Poly1305) return wire::kCipherChaCha20Poly1305;
  return wire::kCipherNone;
}

const char* cipher_name(std::uint8_t cipher) {
  switch (cipher) {
    case wire::kCipherAes256Gcm: return "aes-256-gcm";
    case wire::kCipherChaCha20Poly1305: return "chacha20-poly1305";
    default: return "none";
  }
}

// §4.2: key = BLAKE2b-256 keyed with the connection secret over a label, the
// direction, the SETUP counter and the path id. The server accepts each
// counter once (ControlAuth), so no two flowpaths share a key, even one a
// thief opened with a replayed MIGRATE.
FlowpathKeys derive_flowpath_keys(const Secret& secret, Role role, std::uint64_t counter, std::uint32_t path_id) {
  auto derive = [&](unsigned char direction) {
    std::array<unsigned char, 32> input{};
    static constexpr char kLabel[] = "msocket flowpath v2";  // 19 bytes and its NUL
    std::copy(kLabel, kLabel + sizeof kLabel, input.begin());
    input[20] = direction;
    for (int i = 0; i < 8; ++i) input[21 + i] = static_cast<unsigned char>(counter >> (56 - 8 * i));
    RecordKey key{};
    crypto_generichash_state state;
    crypto_generichash_init(&state, sodium_bytes(secret.data()), secret.size(), key.size());
    crypto_generichash_update(&state, input.data(), input.size());
    std::array<unsigned char, 4> path{};
    for (int i = 0; i < 4; ++i) path[i] = static_cast<unsigned char>(path_id >> (24 - 8 * i));
    crypto_generichash_update(&state, path.data(), path.size());
    crypto_generichash_final(&state, sodium_bytes(key.data()), key.size());
    return key;
  };
  const auto client_to_server = derive(1);
  const auto server_to_client = derive(2);
  if (role == Role::client) return {client_to_server, server_to_client};
  return {server_to_client, client_to_server};
}

FlowpathKeys::~FlowpathKeys() {
  sodium_memzero(send.data(), send.size());
  sodium_memzero(receive.data(), receive.size());
}

RecordCipher::RecordCipher(std::uint8_t cipher, const RecordKey& key) : cipher_(cipher), key_(key) {}

RecordCipher::~RecordCipher() { sodium_memzero(key_.data(), key_.size()); }

std::array<unsigned char, 12> RecordCipher::next_nonce(std::uint64_t& sequence) {
  std::array<unsigned char, 12> nonce{};
  for (int i = 0; i < 8; ++i) nonce[4 + i] = static_cast<unsigned char>(sequence >> (56 - 8 * i));
  ++sequence;
  return nonce;
}

std::size_t RecordCipher::seal(std::span<std::byte> record, std::size_t plaintext_size) {
  wire::write_record_header(plaintext_size, record);
  const auto nonce = next_nonce(sealed_);
  auto* text = sodium_bytes(record.data() + wire::kRecordHeaderSize);
  auto* tag = text + plaintext_size;
  const auto* header = sodium_bytes(record.data());
  if (cipher_ == wire::kCipherAes256Gcm)
    crypto_aead_aes256gcm_encrypt_detached(text, tag, nullptr, text, plaintext_size, header,
                                           wire::kRecordHeaderSize, nullptr, nonce.data(), sodium_bytes(key_.data()));
  else
    crypto_aead_chacha20poly1305_ietf_encrypt_detached(text, tag, nullptr, text, plaintext_size, header,
                                                       wire::kRecordHeaderSize, nullptr, nonce.data(),
                                                       sodium_bytes(key_.data()));
  return wire::kRecordOverhead + plaintext_size;
}

bool RecordCipher::open(std::span<std::byte> record) {
  if (record.size() < wire::kRecordOverhead) return false;
  const std::size_t plaintext_size = record.size() - wire::kRecordOverhead;
  const auto nonce = next_nonce(opened_);
  auto* text = sodium_bytes(record.data() + wire::kRecordHeaderSize);
  const auto* tag = text + plaintext_size;
  const auto* header = sodium_bytes(record.data());
  const int rc =
      cipher_ == wire::kCipherAes256Gcm
          ? crypto_aead_aes256gcm_decrypt_detached(text, nullptr, text, plaintext_size, tag, header,
                                                   wire::kRecordHeaderSize, nonce.data(), sodium_bytes(key_.data()))
          : crypto_aead_chacha20poly1305_ietf_decrypt_detached(text, nullptr, text, plaintext_size, tag, header,
                                                               wire::kRecordHeaderSize, nonce.data(),
                                                               sodium_bytes(key_.data()));
  return rc == 0;
}

}  // namespace msocket::session
