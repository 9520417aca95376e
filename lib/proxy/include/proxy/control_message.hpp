// The relay's control protocol (docs/protocol.md §5): what a server that
// sits behind NAT and an mproxy say to each other. Pure: encoding and
// decoding, no I/O. Each message is a JSON object behind a 2-byte length
// (big endian), at most kMaxMessage bytes: rare, small, and easy to read in
// a capture. The msocket protocol itself never passes through here; the
// relay only splices its bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "msocket/error.hpp"
#include "names/record.hpp"

namespace msocket::proxy {

inline constexpr std::size_t kLengthSize = 2;
inline constexpr std::size_t kMaxMessage = 2048;
inline constexpr std::size_t kNonceSize = 32;
inline constexpr std::size_t kTokenSize = 16;
inline constexpr int kProtocolVersion = 1;

using Nonce = std::array<std::byte, kNonceSize>;
using Token = std::array<std::byte, kTokenSize>;

// Why a relay says no. Each has its own exit code in mcat (man/mcat.1).
enum class Refusal {
  full,       // at --max-reservations, or no port left to give (a flow over --max-flows is closed, and counted so)
  not_owner,  // the key does not own the name (mnamed says so, or another key holds it here)
  limited,    // too much from one source address, or too fast
  draining,   // the relay is shutting down (SIGTERM): go elsewhere
  malformed,  // the request made no sense (a bug or another protocol)
};
const char* to_string(Refusal refusal);

// Server -> relay, first on a control channel.
struct Hello {
  int version = kProtocolVersion;
};
// Relay -> server: prove you own the name; the relay's limits.
struct Challenge {
  Nonce nonce{};
  std::uint32_t ttl = 0;               // seconds a reservation lives without renewal
  std::uint32_t max_flows = 0;         // concurrent flows of one reservation
};
// Server -> relay: the name, its owner key, and that key's signature of the
// challenge (reserve_signing_bytes).
struct Reserve {
  std::string name;
  names::PublicKey key{};
  names::Signature signature{};
};
// Relay -> server: the reservation holds; clients reach it at `address`
// ("IP:PORT"), for `ttl` seconds from now unless renewed.
struct Reserved {
  std::string address;
  std::uint32_t ttl = 0;
};
struct Refused {
  Refusal reason = Refusal::malformed;
  std::string message;  // for a person
};
// Server -> relay, every ttl/3: keep the reservation (answered by Reserved).
struct Renew {};
// Relay -> server: a client's flowpath arrived; open the other half and
// present the token (Join). `client`: where it came from ("IP:PORT").
struct Open {
  std::uint64_t flow = 0;
  Token token{};
  std::string client;
};
// Server -> relay, first on a new TCP connection: "this is the other half of
// flow `flow`". Everything after it is the client's flowpath, spliced.
struct Join {
  std::uint64_t flow = 0;
  Token token{};
};
// Relay -> server: it is going away (SIGTERM). Reserve elsewhere; the flows
// already spliced go on until they end or move.
struct Drain {};

using Message = std::variant<Hello, Challenge, Reserve, Reserved, Refused, Renew, Open, Join, Drain>;

// The JSON body of `message` behind its length.
std::string encode(const Message& message);
// The length of the message that `header` (kLengthSize bytes) announces.
// Errors: errc::bad_frame when it is 0 or above kMaxMessage.
result<std::size_t> body_length(std::span<const std::byte, kLengthSize> header);
// One message from its JSON body. Errors: errc::bad_frame for anything that
// is not a well-formed message of this protocol.
result<Message> decode(std::string_view body);

// What the owner's key signs to reserve `name` on the relay that sent `nonce`.
std::string reserve_signing_bytes(const Nonce& nonce, std::string_view name);
Reserve make_reserve(const Nonce& nonce, std::string name, const names::SigningKey& key);
// True if `reserve` is signed by its key over `nonce` and a valid name.
bool verify(const Reserve& reserve, const Nonce& nonce);

Nonce random_nonce();
Token random_token();

}  // namespace msocket::proxy
