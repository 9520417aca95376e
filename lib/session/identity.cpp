#include "session/identity.hpp"

#include <cstring>

#include <sodium.h>

#include "sodium_bytes.hpp"

namespace msocket::session {
namespace {


constexpr char kLabel[] = "msocket server identity v2";

// label (with its NUL) || conn_id || server key || client key
std::array<unsigned char, sizeof kLabel + 8 + 2 * wire::kKeySize> signed_bytes(std::uint64_t conn_id,
                                                                              const wire::Key& server_key,
                                                                              const wire::Key& client_key) {
  std::array<unsigned char, sizeof kLabel + 8 + 2 * wire::kKeySize> out{};
  std::memcpy(out.data(), kLabel, sizeof kLabel);
  for (int i = 0; i < 8; ++i) out[sizeof kLabel + i] = static_cast<unsigned char>(conn_id >> (56 - 8 * i));
  std::memcpy(out.data() + sizeof kLabel + 8, server_key.data(), wire::kKeySize);
  std::memcpy(out.data() + sizeof kLabel + 8 + wire::kKeySize, client_key.data(), wire::kKeySize);
  return out;
}

static_assert(crypto_sign_BYTES == wire::kSignatureSize && crypto_sign_PUBLICKEYBYTES == wire::kIdentityKeySize);
static_assert(crypto_sign_SECRETKEYBYTES == sizeof(IdentitySecret));

}  // namespace

wire::IdentityKey identity_public_key(const IdentitySecret& secret) {
  wire::IdentityKey key{};
  std::memcpy(key.data(), secret.data() + 32, key.size());
  return key;
}

wire::Signature sign_handshake(const IdentitySecret& secret, std::uint64_t conn_id, const wire::Key& server_key,
                               const wire::Key& client_key) {
  const auto message = signed_bytes(conn_id, server_key, client_key);
  wire::Signature signature{};
  crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr, message.data(), message.size(),
                       sodium_bytes(secret.data()));
  return signature;
}

bool verify_handshake(const wire::IdentityKey& key, const wire::Signature& signature, std::uint64_t conn_id,
                      const wire::Key& server_key, const wire::Key& client_key) {
  const auto message = signed_bytes(conn_id, server_key, client_key);
  return crypto_sign_verify_detached(sodium_bytes(signature.data()), message.data(), message.size(), sodium_bytes(key.data())) == 0;
}

std::string identity_to_text(const wire::IdentityKey& key) {
  char text[sodium_base64_ENCODED_LEN(wire::kIdentityKeySize, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(text, sizeof text, sodium_bytes(key.data()), key.size(), sodium_base64_VARIANT_ORIGINAL);
  return text;
}

bool identity_from_text(std::string_view text, wire::IdentityKey& key) {
  std::array<unsigned char, wire::kIdentityKeySize + 1> bytes{};  // one more: a longer input must not fit
  std::size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size() || length != key.size())
    return false;
  std::memcpy(key.data(), bytes.data(), key.size());
  return true;
}

}  // namespace msocket::session
