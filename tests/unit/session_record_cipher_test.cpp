// Records (docs/protocol.md §2.9, §4.2): what one end seals the other opens,
// exactly once and in order; anything changed, replayed or keyed for
// another flowpath does not open.
#include <catch2/catch.hpp>

#include <vector>

#include "session/record_cipher.hpp"
#include "wire/record.hpp"

namespace msocket::session {
namespace {

Secret some_secret(std::byte fill) {
  Secret s{};
  s.fill(fill);
  return s;
}

// A record of `text` sealed by `sealer`, as the wire carries it.
std::vector<std::byte> sealed(RecordCipher& sealer, std::string_view text) {
  std::vector<std::byte> record(wire::kRecordOverhead + text.size());
  std::memcpy(record.data() + wire::kRecordHeaderSize, text.data(), text.size());
  REQUIRE(sealer.seal(record, text.size()) == record.size());
  return record;
}

std::string plaintext_of(const std::vector<std::byte>& record) {
  return std::string(reinterpret_cast<const char*>(record.data()) + wire::kRecordHeaderSize,
                     record.size() - wire::kRecordOverhead);
}

std::vector<std::uint8_t> ciphers() {
  std::vector<std::uint8_t> out{wire::kCipherChaCha20Poly1305};
  if (ciphers_available() & wire::kCipherAes256Gcm) out.push_back(wire::kCipherAes256Gcm);
  return out;
}

}  // namespace

TEST_CASE("records: the peer opens what we seal, in order, with the keys of this flowpath", "[session][crypto]") {
  for (const auto cipher : ciphers()) {
    INFO(cipher_name(cipher));
    const auto secret = some_secret(std::byte{7});
    const auto client = derive_flowpath_keys(secret, Role::client, 5, 2);
    const auto server = derive_flowpath_keys(secret, Role::server, 5, 2);
    CHECK(client.send == server.receive);
    CHECK(client.receive == server.send);
    CHECK(client.send != client.receive);
    RecordCipher sealer(cipher, client.send), opener(cipher, server.receive);
    auto first = sealed(sealer, "first record");
    auto second = sealed(sealer, "second");
    CHECK(plaintext_of(first) != "first record");  // encrypted
    CHECK(wire::record_size(first).value() == first.size());
    REQUIRE(opener.open(first));
    CHECK(plaintext_of(first) == "first record");
    REQUIRE(opener.open(second));
    CHECK(plaintext_of(second) == "second");
  }
}

TEST_CASE("records: a changed, replayed, reordered or foreign record does not open", "[session][crypto]") {
  const auto secret = some_secret(std::byte{9});
  const auto keys = derive_flowpath_keys(secret, Role::client, 1, 0);
  const auto cipher = ciphers().back();
  SECTION("a changed byte, anywhere") {
    for (std::size_t i = 0; i < wire::kRecordOverhead + 5; ++i) {
      RecordCipher sealer(cipher, keys.send), opener(cipher, keys.send);
      auto record = sealed(sealer, "hello");
      record[i] ^= std::byte{1};
      INFO("byte " << i);
      CHECK_FALSE(opener.open(record));
    }
  }
  SECTION("replayed or out of order") {
    RecordCipher sealer(cipher, keys.send), opener(cipher, keys.send);
    auto first = sealed(sealer, "one");
    auto second = sealed(sealer, "two");
    auto replay = first;
    CHECK_FALSE(opener.open(second));  // record 1 where record 0 is due
    RecordCipher fresh(cipher, keys.send);
    REQUIRE(fresh.open(first));
    CHECK_FALSE(fresh.open(replay));   // record 0 again
  }
  SECTION("keys of another flowpath, direction or connection") {
    for (const auto& other : {derive_flowpath_keys(secret, Role::client, 2, 0).send,   // next MIGRATE
                              derive_flowpath_keys(secret, Role::client, 1, 1).send,   // other path id
                              keys.receive,                                            // other direction
                              derive_flowpath_keys(some_secret(std::byte{8}), Role::client, 1, 0).send}) {
      RecordCipher sealer(cipher, keys.send), opener(cipher, other);
      auto record = sealed(sealer, "secret");
      CHECK_FALSE(opener.open(record));
    }
  }
}

TEST_CASE("records: an empty record and the largest one", "[session][crypto]") {
  const auto keys = derive_flowpath_keys(some_secret(std::byte{1}), Role::server, 0, 0);
  RecordCipher sealer(wire::kCipherChaCha20Poly1305, keys.send), opener(wire::kCipherChaCha20Poly1305, keys.send);
  auto empty = sealed(sealer, "");
  CHECK(empty.size() == wire::kRecordOverhead);
  CHECK(opener.open(empty));
  std::string big(wire::kMaxRecordPlaintext, 'x');
  auto largest = sealed(sealer, big);
  CHECK(opener.open(largest));
  CHECK(plaintext_of(largest) == big);
}

TEST_CASE("record_size: bounds the length before the body arrives", "[wire]") {
  std::vector<std::byte> header(4);
  CHECK(wire::record_size(std::span(header).first(3)).error() == errc::need_more);
  wire::write_record_header(wire::kMaxRecordPlaintext, header);
  CHECK(wire::record_size(header).value() == wire::kMaxRecordSize);
  wire::write_record_header(wire::kMaxRecordPlaintext + 1, header);
  CHECK(wire::record_size(header).error() == errc::bad_frame);
}

TEST_CASE("choose_cipher: AES-256-GCM when both have it, ChaCha20-Poly1305 otherwise, none when none is offered",
          "[session][crypto]") {
  CHECK(choose_cipher(wire::kCipherChaCha20Poly1305) == wire::kCipherChaCha20Poly1305);
  CHECK(choose_cipher(wire::kCipherNone) == wire::kCipherNone);
  const bool aes = (ciphers_available() & wire::kCipherAes256Gcm) != 0;
  CHECK(choose_cipher(wire::kCipherKnown) == (aes ? wire::kCipherAes256Gcm : wire::kCipherChaCha20Poly1305));
}

}  // namespace msocket::session
