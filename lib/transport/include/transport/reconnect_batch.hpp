// The RECONNECTs a listener owes its stranded clients after a move of ours
// (docs/protocol.md §2.7), kept as one batch: all of them go out at once
// (sendmmsg), with one retry deadline for the batch and the backoff of §2.7
// (100 ms, doubled after each unanswered round), and each leaves the batch
// when its own RECONNECT_ACK comes back. One waiting coroutine and one
// timer for a thousand connections, instead of one each.
//
// Time goes in, datagrams to send come out: no sockets, no clock. Not
// thread-safe: the listener calls it on its executor.
#pragma once

#include <cstdint>
#include <optional>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/udp.hpp>

#include "msocket/types.hpp"
#include "wire/reconnect.hpp"

namespace msocket::transport {

// The first wait for an answer; doubled after each round that timed out.
inline constexpr Duration kFirstReconnectWait = std::chrono::milliseconds(100);
// Rounds before a RECONNECT is given up (about 12.7 s in all).
inline constexpr int kReconnectTries = 7;

struct PendingReconnect {
  std::uint64_t conn_id = 0;
  std::uint64_t counter = 0;  // of the signed frame: only its ack counts
  boost::asio::ip::udp::endpoint to;  // the client's control address
  wire::ReconnectDatagram datagram{};
  int tries = 0;  // rounds it was sent in
};

class ReconnectBatch {
 public:
  // Adds the RECONNECT of `r.conn_id`, replacing an older one of it (a
  // newer move supersedes). The round starts over: every pending RECONNECT
  // is due `now`, and the wait goes back to the first.
  void add(PendingReconnect r, TimePoint now);
  // The RECONNECTs to send at `now` (empty if the batch's deadline has not
  // come). Those sent kReconnectTries times already are given up instead
  // (given_up()). Sets the next deadline; a round that timed out doubles
  // the wait, one hurried by a new route does not.
  std::vector<const PendingReconnect*> take_due(TimePoint now);
  // A route came back: what is pending is due at once, without backoff (a
  // RECONNECT sent while we had none got "network unreachable").
  void hurry(TimePoint now);
  // An authentic RECONNECT_ACK for `conn_id` with `counter`: true if it
  // answered the pending RECONNECT (which leaves the batch); false for an
  // unknown connection or an older counter.
  bool acknowledge(std::uint64_t conn_id, std::uint64_t counter);
  // The connection ended or came back by itself: no more RECONNECT for it.
  void forget(std::uint64_t conn_id);
  // The connections given up by the last take_due().
  const std::vector<std::uint64_t>& given_up() const { return given_up_; }
  // When take_due() has something next; nullopt when nothing is pending.
  std::optional<TimePoint> next_send() const;
  std::size_t pending() const { return pending_.size(); }
  bool contains(std::uint64_t conn_id) const { return pending_.count(conn_id) > 0; }
  std::vector<std::uint64_t> connections() const;

 private:
  std::unordered_map<std::uint64_t, PendingReconnect> pending_;
  std::vector<std::uint64_t> given_up_;
  TimePoint next_send_{};
  Duration wait_ = kFirstReconnectWait;
  bool sent_once_ = false;  // in this round: the next timeout backs off
  bool hurried_ = false;
};

}  // namespace msocket::transport
