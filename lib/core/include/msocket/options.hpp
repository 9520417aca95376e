// Options of an msocket connection or listener (msocket::async_connect,
// msocket::acceptor::open, mcat's flags).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/ip/address.hpp>

#include "msocket/session_config.hpp"
#include "msocket/types.hpp"

namespace msocket {

// A short text held inline (no allocation, nothing points into it), e.g. a URL.
template <std::size_t Capacity>
class InlineText {
 public:
  // False, leaving the text unchanged, when `text` is longer than Capacity.
  bool assign(std::string_view text) {
    if (text.size() > Capacity) return false;
    std::memcpy(chars_.data(), text.data(), text.size());
    size_ = text.size();
    return true;
  }
  std::string_view view() const { return {chars_.data(), size_}; }
  std::string str() const { return std::string(view()); }
  bool empty() const { return size_ == 0; }

 private:
  std::array<char, Capacity> chars_{};
  std::size_t size_ = 0;
};

inline constexpr std::size_t kMaxSources = 8;  // extra flowpath sources (-s given again)

// A few IP addresses held inline, as bytes (no allocation; see Options).
class AddressList {
 public:
  // False, leaving the list unchanged, when it is full.
  bool push_back(const boost::asio::ip::address& address) {
    if (size_ == items_.size()) return false;
    items_[size_++] = address.is_v4()
                          ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, address.to_v4()).to_bytes()
                          : address.to_v6().to_bytes();
    return true;
  }
  std::size_t size() const { return size_; }
  boost::asio::ip::address operator[](std::size_t i) const {
    const boost::asio::ip::address_v6 v6(items_[i]);
    if (v6.is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6);
    return v6;
  }

 private:
  std::array<boost::asio::ip::address_v6::bytes_type, kMaxSources> items_{};
  std::size_t size_ = 0;
};

struct Options {
  SessionConfig session;
  std::optional<boost::asio::ip::address> source;  // bind the first flowpath here (-s)
  Duration connect_timeout = std::chrono::seconds{10};    // one TCP connect attempt
  Duration handshake_timeout = std::chrono::seconds{10};  // SETUP -> SETUP_ACK
  Duration retry_min = std::chrono::milliseconds{25};     // first pause between migration attempts
  // Longest pause between migration attempts: the paper's periodic retry
  // interval rho, the fallback when no RECONNECT or name change tells us more.
  Duration retry_max = std::chrono::seconds{2};
  bool follow_addresses = true;      // watch rtnetlink and move when our address goes
  // Connect by name: how long to keep re-resolving and retrying the first
  // connect (connect-time mobility, -w); zero means connect_timeout.
  Duration connect_deadline = Duration::zero();
  bool follow_peer_name = true;      // connected by name: follow its changes (watch)
  // URL of the name service (mnamed) where msocket::async_connect looks names up first, their
  // owner keys pinned on first use (mnamed(8), KNOWN NAMES); empty: DNS only.
  InlineText<256> name_service;
  bool server_mobility = true;       // listener: follow our addresses, send RECONNECT
  // TCP Fast Open without cookies (docs/protocol.md §3.3): a flowpath that
  // opens with MIGRATE or ADD_PATH sends it in its SYN, and a listener takes
  // such SYNs, where the host allows it (net.ipv4.tcp_fastopen, bit 1 for
  // clients, 2 for listeners); elsewhere the SETUP follows the handshake.
  bool fast_open = true;
  // Listener: hand a new connection to the application once the SETUP_ACK
  // is sent, not once the client has shown it holds the keys
  // (docs/protocol.md §3.1, confirmation). A server that speaks first (a
  // download) then sends its first bytes a round trip sooner, as a plain
  // TCP server does; what it sends is sealed for the NEW's key, so only
  // that client reads it. A NEW followed by a reset reaches the
  // application as a connection that fails at once: leave it off where
  // each connection starts something (mcat -e, -c, a forward).
  bool accept_unconfirmed = false;
  bool ipv6_only = false;            // listener on "::": IPv6 peers only (IPV6_V6ONLY); else IPv4 ones too
  // Multipath (paper §III-C): more flowpaths, each from its own local
  // address and interface.
  AddressList extra_sources;
  bool all_paths = false;  // a flowpath from every usable local address, as they come and go
  // When set, flowpaths from other interfaces are backups (SETUP's backup
  // flag): they carry data only while no flowpath from this one can.
  InlineText<15> prefer_interface;  // IFNAMSIZ less the NUL
  // Trust (docs/protocol.md §4). Every byte after the handshake is
  // encrypted and authenticated unless both ends turn it off.
  bool encrypt = true;
  // Client: the key the server must sign the handshake with (a name's owner
  // key: --peer-key, or the pinned key of the name connected to).
  std::optional<std::array<std::byte, 32>> peer_key;
  // Client by name: the file of pinned owner keys (docs/protocol.md §4.3);
  // empty: $XDG_CONFIG_HOME/msocket/known_names (~/.config/...).
  InlineText<512> known_names;
  // Listener: the Ed25519 key (a name's owner key, libsodium's 64-byte
  // layout) it signs its handshakes with.
  std::optional<std::array<std::byte, 64>> identity;
};

// Options travel by value through coroutines and Asio initiations, and g++ 12
// relocates such arguments bitwise on some paths (a std::string member came
// out corrupted): no member may own memory or point into the object.

}  // namespace msocket
