// What the path manager knows of flowpaths and decides (path_manager.hpp),
// which the transport carries out: open a flowpath, close one, give up an attempt, ask where the peer
// is, tell the peer our addresses. Values only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "msocket/stats.hpp"
#include "msocket/types.hpp"
#include "paths/local_addresses.hpp"

namespace msocket::paths {

// A flowpath that is up, as the path manager knows it.
struct FlowpathInfo {
  PathId id{};
  boost::asio::ip::tcp::endpoint local;
  boost::asio::ip::tcp::endpoint remote;
  TimePoint opened{};
  unsigned ifindex = 0;  // the interface of `local`; the path manager fills it in
};

// One attempt to open a flowpath; the transport reports its end with it.
enum class AttemptId : std::uint64_t {};
inline std::uint64_t to_int(AttemptId a) { return static_cast<std::uint64_t>(a); }

// Which SETUP opens the flowpath (docs/protocol.md §2.1).
enum class AttemptKind { migrate, add_path };

// Where an attempt failed: connecting (TCP) or in the handshake (no answer,
// refused, not authentic).
enum class AttemptStage { connect, handshake };

// Connect to `remote` (from `source` and its interface when given, else
// wherever the kernel routes), within `timeout`, and send the SETUP of
// `kind` for flowpath `path`. Report flowpath_up or attempt_failed.
struct OpenFlowpath {
  AttemptId attempt{};
  AttemptKind kind = AttemptKind::migrate;
  PathId path{};
  std::optional<LocalAddress> source;
  boost::asio::ip::tcp::endpoint remote;
  Duration timeout{};
};

// Close the flowpath now; the session re-sends what it carried on others.
struct CloseFlowpath {
  PathId path{};
  MigrationCause cause = MigrationCause::path_failure;
  std::string why;  // for the log
};

// End the attempt at once (as if it timed out): the network or the peer's
// address changed, so it may hang until its timeout for nothing.
struct AbandonAttempt {
  AttemptId attempt{};
};

// Ask the locator (the peer's name) where the peer is; answer with
// PathManager::lookup_done.
struct LookUpPeer {};

// Our addresses changed: connections the locator holds may be bound to an
// address we no longer have.
struct NetworkChanged {};

// Send ADDRESSES (docs/protocol.md §2.8) with these addresses and port,
// or, when `relays` is not empty, the relays we are reached through.
struct Advertise {
  std::vector<boost::asio::ip::address> addresses;
  std::uint16_t port = 0;
  std::vector<boost::asio::ip::tcp::endpoint> relays;
};

using Decision = std::variant<OpenFlowpath, CloseFlowpath, AbandonAttempt, LookUpPeer, NetworkChanged, Advertise>;
using Decisions = std::vector<Decision>;

}  // namespace msocket::paths
