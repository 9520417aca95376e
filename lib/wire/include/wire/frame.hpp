// Frame types of the msocket protocol (docs/protocol.md §2). Plain values:
// no I/O, no allocation. A Data frame's payload points into the buffer it
// was decoded from.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

namespace msocket::wire {

inline constexpr std::uint32_t kMagic = 0x4D534B54;  // "MSKT"
inline constexpr std::uint8_t kVersion = 2;
inline constexpr std::uint8_t kVersion1 = 1;  // the previous protocol, recognised only to be refused clearly
inline constexpr std::size_t kHeaderSize = 8;        // type, flags, reserved, body length
inline constexpr std::size_t kMaxPayload = 64 * 1024;  // largest DATA payload (§2.3)
inline constexpr std::size_t kKeySize = 32;          // X25519 public key
inline constexpr std::size_t kMacSize = 32;          // HMAC-SHA512-256 tag
inline constexpr std::size_t kIdentityKeySize = 32;  // Ed25519 public key of a name's owner
inline constexpr std::size_t kSignatureSize = 64;    // Ed25519 signature

enum class FrameType : std::uint8_t {
  setup = 1,      // §2.1 first frame of a flowpath, from the side that connected
  setup_ack = 2,  // §2.2 the answer to SETUP
  data = 3,       // §2.3 stream bytes (or FIN), with piggybacked ack and window
  ack = 4,        // §2.4 ack and window alone
  ping = 5,       // §2.5 keepalive, echoed by PONG
  pong = 6,
  reset = 7,      // §2.6 abort the connection
  // 8 and 9 are RECONNECT and RECONNECT_ACK, in datagrams only (§2.7).
  addresses = 10,  // §2.8 the sender's addresses (MPTCP's ADD_ADDR)
};

enum class SetupKind : std::uint8_t { new_connection = 1, add_path = 2, migrate = 3 };

// SETUP_ACK status (§2.2).
enum class SetupStatus : std::uint8_t {
  ok = 0,
  unknown_connection = 1,
  bad_auth = 2,
  replayed = 3,
  closed = 4,  // the connection ended cleanly; nothing more to exchange
  busy = 5,
  encryption_required = 6,  // NEW offered no cipher; this server encrypts (§4.2)
  encryption_refused = 7,   // NEW offered ciphers; this server runs without encryption
};

// Ciphers of the record layer (§4.2). In SETUP the client offers the set it
// can use (a bit mask, 0: no encryption); SETUP_ACK of NEW names the one
// chosen, and every later SETUP and answer of the connection repeats it.
inline constexpr std::uint8_t kCipherNone = 0;
inline constexpr std::uint8_t kCipherChaCha20Poly1305 = 1;
inline constexpr std::uint8_t kCipherAes256Gcm = 2;
inline constexpr std::uint8_t kCipherKnown = kCipherChaCha20Poly1305 | kCipherAes256Gcm;

// Address of a connectionless control socket: IPv4 is stored IPv4-mapped.
struct ControlAddress {
  std::array<std::byte, 16> ip{};
  std::uint16_t port = 0;
  bool operator==(const ControlAddress&) const = default;
};

using Key = std::array<std::byte, kKeySize>;
using Mac = std::array<std::byte, kMacSize>;
using IdentityKey = std::array<std::byte, kIdentityKeySize>;
using Signature = std::array<std::byte, kSignatureSize>;

// SETUP flags (§2.1): the sender asks that this flowpath carry data only
// while no regular flowpath can (MPTCP's backup bit).
inline constexpr std::uint16_t kSetupBackup = 0x0001;
inline constexpr std::uint16_t kSetupKnownFlags = kSetupBackup;

// SETUP and SETUP_ACK share one layout; `code` is a SetupKind in SETUP and a
// SetupStatus in SETUP_ACK.
struct Setup {
  std::uint8_t version = kVersion;
  std::uint8_t code = 0;
  std::uint16_t flags = 0;  // kSetupBackup; zero in SETUP_ACK
  std::uint64_t conn_id = 0;
  std::uint32_t path_id = 0;
  std::uint64_t ack = 0;     // bytes of the peer's stream received in order
  std::uint64_t window = 0;  // absolute offset the sender may send up to (exclusive)
  std::uint64_t counter = 0;  // strictly increasing per connection (anti-replay)
  ControlAddress control;
  Key public_key{};  // X25519 key in NEW and its answer; zero otherwise
  Mac mac{};         // over all other fields in ADD_PATH, MIGRATE and their answers
  std::uint8_t cipher = kCipherNone;  // offered (SETUP of NEW) or chosen (every other)
  // In the answer to NEW from a server with a name key: that key, and its
  // signature of the handshake (§4.3). Zero otherwise.
  IdentityKey identity{};
  Signature signature{};
  bool operator==(const Setup&) const = default;
};

struct SetupFrame : Setup {};
struct SetupAckFrame : Setup {};

struct DataFrame {
  std::uint64_t offset = 0;
  std::uint64_t ack = 0;
  std::uint64_t window = 0;
  bool fin = false;  // the FIN occupies one offset and carries no payload
  std::span<const std::byte> payload;
};

struct AckFrame {
  std::uint64_t ack = 0;
  std::uint64_t window = 0;
  bool operator==(const AckFrame&) const = default;
};

struct PingFrame {
  std::uint64_t token = 0;
  bool operator==(const PingFrame&) const = default;
};

struct PongFrame {
  std::uint64_t token = 0;
  bool operator==(const PongFrame&) const = default;
};

struct ResetFrame {
  std::uint32_t code = 0;
  bool operator==(const ResetFrame&) const = default;
};

// §2.8: the sender's addresses, all of them each time (a newer list
// replaces the older), with the port it accepts flowpaths on (0: none);
// or, from a listener reached through relays, the relays' endpoints, each
// with its own port, a flowpath to be opened through each.
inline constexpr std::size_t kMaxAddresses = 8;
struct AddressesFrame {
  std::uint16_t port = 0;  // 0 in a list of relays
  std::uint8_t count = 0;  // of `ips` in use, at most kMaxAddresses
  bool relays = false;     // each entry is a relay's endpoint: `ips[i]`:`ports[i]`
  std::array<std::array<std::byte, 16>, kMaxAddresses> ips{};  // IPv4 stored IPv4-mapped
  std::array<std::uint16_t, kMaxAddresses> ports{};            // relays only
  bool operator==(const AddressesFrame&) const = default;
};
inline constexpr std::uint8_t kAddressesOfHost = 0;    // the body's kind byte
inline constexpr std::uint8_t kAddressesOfRelays = 1;

using Frame = std::variant<SetupFrame, SetupAckFrame, DataFrame, AckFrame, PingFrame, PongFrame,
                           ResetFrame, AddressesFrame>;

}  // namespace msocket::wire
