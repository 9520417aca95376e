// Client mobility (paper §III-B3), sans-I/O: once a client's connection has
// no flowpath left, reconnect from whatever address works now to wherever
// the peer is now and MIGRATE, trying the peer's known addresses in turn,
// in rounds with backoff up to the retry interval (the paper's rho): a
// round starts at most rho after the last one started, even while an
// attempt of that one still waits for an answer. The
// session's linger time bounds the whole. It also keeps the migrations'
// record: cause and recovery time.
#pragma once

#include <algorithm>
#include <optional>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "msocket/stats.hpp"
#include "paths/decisions.hpp"

namespace msocket::paths {

// Whether `list` holds `endpoint`.
inline bool contains(const std::vector<boost::asio::ip::tcp::endpoint>& list,
                     const boost::asio::ip::tcp::endpoint& endpoint) {
  return std::find(list.begin(), list.end(), endpoint) != list.end();
}

class Reconnector {
 public:
  struct Settings {
    Duration retry_min = std::chrono::milliseconds(25);  // first pause between rounds
    Duration retry_max = std::chrono::seconds(2);        // longest pause: rho
    Duration connect_timeout = std::chrono::seconds(10);
  };
  using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;
  // Hands out attempt ids (unique per connection) and fills in the source
  // of an attempt; the path manager's.
  struct Context {
    std::uint64_t& next_attempt;
    const std::vector<LocalAddress>& local_addresses;  // ours now: a round tries what they reach first
    std::optional<LocalAddress> source;  // bind migrations here (-s), if we still have it
    bool has_locator = false;            // the peer can be looked up (connected by name)
    // The current remote is one of the relays the peer is reached through
    // (§5.7): it stays where it is when the peer moves.
    bool remote_is_relay = false;
  };

  explicit Reconnector(const Settings& settings);

  // Where the first flowpath went: the first candidate and the current remote.
  void set_remote(const boost::asio::ip::tcp::endpoint& remote);
  const std::optional<boost::asio::ip::tcp::endpoint>& remote() const { return remote_; }
  bool in_outage() const { return outage_.has_value(); }

  // A flowpath went away for `cause`; `last` if none is left: an outage
  // starts and the first round with it.
  void path_lost(MigrationCause cause, bool last, TimePoint now, const Context& context, Decisions& out);
  // A flowpath is up: ends the outage (recording the migration) if any; if
  // it was our attempt `attempt`, its target is the peer's address now.
  void path_up(PathId path, std::optional<AttemptId> attempt, TimePoint now);
  void attempt_failed(AttemptId attempt, TimePoint now, const Context& context, Decisions& out);

  // A new network (an address or a link came: the recovery clock restarts
  // there, as the paper times from the switch to the new access point) or a
  // new route: during an outage, start over at once.
  void network_changed(bool new_network, TimePoint now, const Context& context, Decisions& out);
  // The peer says it is at `where` (RECONNECT, its name): its list goes first,
  // what we knew stays as a last resort. False if that changes nothing.
  bool learn_peer_addresses(const Endpoints& where);
  // The peer's ADDRESSES (§2.8): kept as candidates after all we knew, for
  // when we can no longer reach those (a move to the other address family);
  // what it offered before and no longer does is dropped. A migration keeps
  // only where it went and these: the peer left the others.
  void learn_offers(const Endpoints& offered);
  // The peer moved while we have no flowpath (or are about to lose them).
  void note_peer_moved() { peer_moved_ = true; }
  // After learn_peer_addresses and the closing of stale flowpaths: try the
  // news first, unless an attempt already goes there.
  void peer_news(const Endpoints& where, TimePoint now, const Context& context, Decisions& out);
  // The answer to LookUpPeer (nullopt: the lookup failed).
  void lookup_done(const std::optional<Endpoints>& found, TimePoint now, const Context& context, Decisions& out);

  TimePoint next_deadline() const;
  void on_timer(TimePoint now, const Context& context, Decisions& out);
  const std::vector<Migration>& migrations() const { return migrations_; }

 private:
  enum class Phase { idle, looking_up, trying, waiting };
  struct Outage {
    MigrationCause cause;
    TimePoint since;    // when a move could start (the recovery clock)
    TimePoint lost_at;  // when the last flowpath went
  };
  void start_round(TimePoint now, const Context& context, Decisions& out);
  void begin_targets(TimePoint now, const Context& context, Decisions& out);
  void try_next_target(TimePoint now, const Context& context, Decisions& out);
  void abandon_attempt(Decisions& out);
  void wake(TimePoint now, const Context& context, Decisions& out);
  Duration attempt_timeout() const;

  Settings settings_;
  std::optional<boost::asio::ip::tcp::endpoint> remote_;
  Endpoints candidates_;  // where the peer may be, preferred first
  Endpoints offers_;      // the peer's last ADDRESSES (or its relays)
  std::optional<Outage> outage_;
  bool self_moved_ = false;   // since the last migration: our address went away
  bool peer_moved_ = false;   // since the last migration: the peer's address changed
  unsigned failed_rounds_ = 0;  // in this outage
  Phase phase_ = Phase::idle;
  Endpoints round_;             // this round's targets
  std::size_t next_target_ = 0;
  std::optional<AttemptId> attempt_;  // in flight, also while the next round looks up
  boost::asio::ip::tcp::endpoint attempt_target_;
  bool abandoning_ = false;  // AbandonAttempt sent for attempt_: its failure is no failed target
  bool retry_now_ = false;  // the network or the peer changed during this round
  Duration pause_;
  TimePoint wake_at_ = TimePoint::max();    // phase waiting: the next round
  TimePoint round_due_ = TimePoint::max();  // a pause after this round started: the next one
  std::vector<Migration> migrations_;
};

}  // namespace msocket::paths
