// Multipath, client side (paper §III-C, §IV-C), sans-I/O: besides the first
// flowpath, one from each local address the path policy wants, each joined
// with ADD_PATH and bound to its interface. Each follows its own address:
// opened again when the address comes back, retried a retry interval after
// a failure while the address is there, and tried to every address of the
// peer in the order that suits it (address_choice.hpp).
#pragma once

#include <map>
#include <optional>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "paths/decisions.hpp"
#include "paths/path_policy.hpp"

namespace msocket::paths {

class ExtraPaths {
 public:
  struct Settings {
    Duration retry_max = std::chrono::seconds(2);  // wait before trying a failed address again
    Duration connect_timeout = std::chrono::seconds(10);
    Duration attempt_timeout = std::chrono::seconds(2);  // per peer address, but for the last
  };
  // What the path manager knows that decides whether and where to open.
  struct Context {
    std::uint64_t& next_attempt;
    std::uint32_t& next_path_id;  // shared with the relays' flowpaths (relay_paths.hpp)
    const std::vector<LocalAddress>& local_addresses;
    const std::optional<boost::asio::ip::tcp::endpoint>& remote;     // where the connection went
    const std::vector<boost::asio::ip::tcp::endpoint>& peer_offers;  // the peer's ADDRESSES
    const std::vector<FlowpathInfo>& flowpaths;  // up now
    bool closing = false;  // both directions of the stream are done: no new flowpaths
  };

  ExtraPaths(const PathPolicy& policy, const Settings& settings);

  // Opens a flowpath from `local` if the policy wants one and none leaves
  // from there or is being opened.
  void consider(const LocalAddress& local, TimePoint now, const Context& context, Decisions& out);
  // Every local address, considered (after connecting).
  void consider_all(TimePoint now, const Context& context, Decisions& out);
  // A route appeared or the peer offered new addresses: attempts made
  // before may hang (an ARP timeout) or aim wrong: start them over now.
  void retry_now(TimePoint now, const Context& context, Decisions& out);
  // A flowpath lost with its address is replaced at the peer by one with the
  // same id from `from`, an address that works (docs/protocol.md §3.3): the
  // peer cannot hear that the old one died and would keep its bytes until
  // its keepalive gives up.
  void replace(PathId path, const LocalAddress& from, TimePoint now, const Context& context, Decisions& out);

  bool owns(AttemptId attempt) const;
  void succeeded(AttemptId attempt);
  void failed(AttemptId attempt, AttemptStage stage, TimePoint now, const Context& context, Decisions& out);

  TimePoint next_deadline() const;
  void on_timer(TimePoint now, const Context& context, Decisions& out);

 private:
  struct Attempt {
    AttemptId id{};
    PathId path{};
    LocalAddress local;
    std::vector<boost::asio::ip::tcp::endpoint> targets;
    std::size_t next = 0;
    bool again = false;        // start over once it ends (retry_now)
    bool replacement = false;  // from replace(): not the address's own flowpath
  };
  bool wants(const LocalAddress& local, const Context& context) const;
  void open_next(Attempt& attempt, const Context& context, Decisions& out);
  void end(std::vector<Attempt>::iterator attempt, TimePoint now, const Context& context, Decisions& out);

  const PathPolicy& policy_;
  Settings settings_;
  std::vector<Attempt> attempts_;                        // in flight
  std::map<boost::asio::ip::address, PathId> path_ids_;  // an address's flowpath keeps its id
  std::multimap<TimePoint, LocalAddress> retries_;       // consider again then
};

}  // namespace msocket::paths
