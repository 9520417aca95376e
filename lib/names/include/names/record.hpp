// A name record of the name service (paper §II, Auspice's role): a name and
// the addresses it can be reached at now, signed by the name's owner.
// Pure: encoding, validation and signatures, no I/O.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "msocket/error.hpp"

namespace msocket::names {

using PublicKey = std::array<std::byte, 32>;  // Ed25519
using SecretKey = std::array<std::byte, 64>;  // Ed25519 (libsodium layout: seed + public key)
using Signature = std::array<std::byte, 64>;

inline constexpr std::size_t kMaxNameLength = 253;
inline constexpr std::size_t kMaxAddresses = 16;

struct Record {
  std::string name;
  std::vector<std::string> addresses;  // listening addresses, "IP:PORT" ("[v6]:PORT")
  std::string control;                 // UDP control address, "IP:PORT", or empty
  std::uint64_t version = 0;           // strictly increasing per name
  std::int64_t expires = 0;            // seconds since the epoch
  // How busy the owner says it is, in thousandths of its capacity (relays
  // of the pool, §5.8); 0 when it does not say.
  std::uint32_t load = 0;
  PublicKey owner{};
  Signature signature{};
  bool operator==(const Record&) const = default;
};

inline constexpr std::uint32_t kMaxLoad = 1000;

struct SigningKey {
  PublicKey public_key{};
  SecretKey secret_key{};
};

SigningKey generate_signing_key();

// Names: 1 to 253 characters of letters, digits, '.', '-' and '_'.
bool valid_name(std::string_view name);
// "IP:PORT" with a literal IPv4 or bracketed IPv6 address and a port 1..65535.
bool valid_address(std::string_view address);

// The bytes a signature covers: every field but the signature, each with its
// length, after a label, so no two different records sign the same bytes.
std::string signing_bytes(const Record& record);
void sign(Record& record, const SigningKey& key);
// True if the signature was made by record.owner over the record's fields.
bool verify(const Record& record);

// JSON form: {"name", "addresses": [...], "control", "version", "expires",
// "load" (only when not 0), "owner" (base64), "signature" (base64)}.
boost::json::value to_json(const Record& record);
// Errors: errc::bad_frame for a missing or mistyped field, a bad name or
// address, too many addresses, or keys of the wrong size. The signature is
// not checked here (see verify).
result<Record> from_json(const boost::json::value& json);

std::string to_base64(std::span<const std::byte> bytes);
// nullopt if `text` is not base64 of exactly `size` bytes.
std::optional<std::vector<std::byte>> from_base64(std::string_view text, std::size_t size);

}  // namespace msocket::names
