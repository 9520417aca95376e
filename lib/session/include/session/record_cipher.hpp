// Sealing and opening the records of one direction of one flowpath
// (docs/protocol.md §4.2): AES-256-GCM where the CPU has it, ChaCha20-
// Poly1305 otherwise, both from libsodium. Each flowpath has keys of its
// own, derived from the connection secret and the counter of the SETUP that
// opened it, and numbers its records from 0: no (key, nonce) pair is ever
// used twice, however many flowpaths, migrations or re-sends there are.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "session/auth.hpp"
#include "session/types.hpp"
#include "wire/frame.hpp"

namespace msocket::session {

using RecordKey = std::array<std::byte, 32>;

// The ciphers this host can use, as a SETUP offers them (wire::kCipher*).
std::uint8_t ciphers_available();
// Server: the cipher for a NEW that offers `offered` (AES-256-GCM if both
// ends have it), or kCipherNone if they share none.
std::uint8_t choose_cipher(std::uint8_t offered);
// "aes-256-gcm", "chacha20-poly1305", "none".
const char* cipher_name(std::uint8_t cipher);

struct FlowpathKeys {
  RecordKey send{};
  RecordKey receive{};
  ~FlowpathKeys();  // wipes them
};
// The keys of the flowpath opened by the SETUP with `counter` (0 for NEW)
// and `path_id`, for `role`'s end.
FlowpathKeys derive_flowpath_keys(const Secret& secret, Role role, std::uint64_t counter, std::uint32_t path_id);

class RecordCipher {
 public:
  RecordCipher(std::uint8_t cipher, const RecordKey& key);
  ~RecordCipher();
  RecordCipher(const RecordCipher&) = delete;
  RecordCipher& operator=(const RecordCipher&) = delete;

  // `record` holds the header's room, `plaintext_size` bytes of plaintext,
  // and the tag's room (wire/record.hpp). Writes the header, encrypts in
  // place and writes the tag. Returns the record's size.
  std::size_t seal(std::span<std::byte> record, std::size_t plaintext_size);
  // `record` is one whole record as received. Decrypts in place; false if
  // it is not authentic (then the flowpath must go: the next record's nonce
  // would not match either).
  bool open(std::span<std::byte> record);

 private:
  std::array<unsigned char, 12> next_nonce(std::uint64_t& sequence);

  std::uint8_t cipher_;
  RecordKey key_;
  std::uint64_t sealed_ = 0;
  std::uint64_t opened_ = 0;
};

}  // namespace msocket::session
