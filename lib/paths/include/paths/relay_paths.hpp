// Multipath through relays (docs/protocol.md §2.8 and §5), client side,
// sans-I/O: a listener reached through several relays lists their
// endpoints in ADDRESSES, and the connection keeps a flowpath through each,
// joined with ADD_PATH. Losing a relay then costs the scheduler a reaction
// (its bytes are sent again over the others), not a lookup and a reconnect,
// and the relays' rates add up. A relay's flowpath that fails is tried
// again while the listener still lists the relay, sooner after a loss than
// after a refusal; one the listener stops listing is closed once another
// flowpath carries the connection.
#pragma once

#include <map>
#include <optional>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "paths/decisions.hpp"

namespace msocket::paths {

class RelayPaths {
 public:
  using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;
  struct Settings {
    Duration retry_min = std::chrono::milliseconds(500);  // after a loss or the first failure
    Duration retry_max = std::chrono::seconds(8);         // doubled per failure up to this
    Duration connect_timeout = std::chrono::seconds(10);
  };
  // What the path manager knows that decides whether and where to open.
  struct Context {
    std::uint64_t& next_attempt;
    std::uint32_t& next_path_id;
    const std::vector<FlowpathInfo>& flowpaths;  // up now
    std::optional<LocalAddress> source;          // -s, while we have it
    bool closing = false;                        // no new flowpaths
  };

  explicit RelayPaths(const Settings& settings) : settings_(settings) {}

  // The listener's relays now (an ADDRESSES of relays). Opens a flowpath
  // through each that has none; closes (CloseFlowpath, server_move) those
  // through relays no longer listed while another flowpath is up.
  void update(const Endpoints& relays, TimePoint now, const Context& context, Decisions& out);
  const Endpoints& relays() const { return relays_; }
  bool listed(const boost::asio::ip::tcp::endpoint& remote) const;

  // A flowpath is up (any: the first, a migration, ours): ours is done, and
  // a connection that was in an outage may fill in its relays now.
  void path_up(std::optional<AttemptId> attempt, TimePoint now, const Context& context, Decisions& out);
  // A flowpath to `remote` was lost: through a listed relay, try it again.
  void path_lost(const boost::asio::ip::tcp::endpoint& remote, TimePoint now);
  // Our network changed: failed relays are tried again now.
  void retry_now(TimePoint now, const Context& context, Decisions& out);

  bool owns(AttemptId attempt) const;
  void failed(AttemptId attempt, TimePoint now);

  TimePoint next_deadline() const;
  void on_timer(TimePoint now, const Context& context, Decisions& out);

 private:
  struct Attempt {
    AttemptId id{};
    boost::asio::ip::tcp::endpoint remote;
  };
  bool carries(const boost::asio::ip::tcp::endpoint& remote, const Context& context) const;
  void fill(TimePoint now, const Context& context, Decisions& out);
  void open(const boost::asio::ip::tcp::endpoint& remote, const Context& context, Decisions& out);
  void close_unlisted(const Context& context, Decisions& out);

  Settings settings_;
  Endpoints relays_;
  std::vector<Attempt> attempts_;                                      // in flight
  std::map<boost::asio::ip::tcp::endpoint, PathId> path_ids_;         // a relay's flowpath keeps its id
  std::map<boost::asio::ip::tcp::endpoint, TimePoint> not_before_;    // waiting to be tried again
  std::map<boost::asio::ip::tcp::endpoint, Duration> backoff_;        // the next wait after a failure
};

}  // namespace msocket::paths
