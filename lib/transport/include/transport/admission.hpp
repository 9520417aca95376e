// What a listener lets in (docs/protocol.md §4.5), so that strangers cannot
// crowd out the clients it serves: handshakes in progress are bounded in all
// and per source address, and cleanly closed connections leave tombstones
// (bounded, the oldest forgotten first) that let a late MIGRATE be told
// `closed` with a MAC the client can check.
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>

#include <boost/asio/ip/address.hpp>

#include "session/auth.hpp"
#include "session/types.hpp"

namespace msocket::transport {

struct AdmissionLimits {
  std::size_t handshakes = 1024;           // flowpaths between accept and their SETUP's answer
  std::size_t handshakes_per_source = 32;  // of those, from one address
  // New connections from one address that hold no flowpath or whose client
  // has not yet shown it holds the keys (§3.1).
  std::size_t idle_per_source = 64;
  std::size_t tombstones = 4096;
  Duration tombstone_time = std::chrono::minutes{2};
};

// An address as a source: IPv4-mapped IPv6 is its IPv4 address, so the two
// spellings of one host share their slots.
boost::asio::ip::address source_of(const boost::asio::ip::address& address);

class Admission {
 public:
  explicit Admission(AdmissionLimits limits = {}) : limits_(limits) {}
  const AdmissionLimits& limits() const { return limits_; }

  // A flowpath's handshake begins: false when there is no slot for it.
  bool begin_handshake(const boost::asio::ip::address& source);
  void end_handshake(const boost::asio::ip::address& source);
  std::size_t handshakes() const { return handshakes_; }

  // A cleanly closed connection: remember its id and secret for a while.
  void bury(std::uint64_t conn_id, const session::Secret& secret, TimePoint now);
  // The secret of a buried connection, or nullopt.
  std::optional<session::Secret> tombstone(std::uint64_t conn_id, TimePoint now);
  bool buried(std::uint64_t conn_id) const { return tombstones_.count(conn_id) != 0; }
  std::size_t tombstone_count() const { return tombstones_.size(); }

 private:
  void expire(TimePoint now);

  AdmissionLimits limits_;
  std::size_t handshakes_ = 0;
  std::map<boost::asio::ip::address, std::size_t> per_source_;
  struct Tombstone {
    session::Secret secret;
    TimePoint forget_at;
  };
  std::unordered_map<std::uint64_t, Tombstone> tombstones_;
  std::deque<std::uint64_t> burial_order_;  // oldest first; forget_at grows along it
};

}  // namespace msocket::transport
