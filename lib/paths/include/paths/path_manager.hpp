// The path manager (DESIGN.md, layer 4): which flowpaths a connection opens,
// migrates, prefers and drops, and which addresses it advertises. Sans-I/O,
// as the session is: events go in with the time (flowpaths up and down,
// attempts failed, local address and route changes, news of the peer, a
// timer), decisions come out (decisions.hpp) and the transport carries them
// out. Client mobility is the Reconnector's, multipath the ExtraPaths', the
// choice of flowpaths a PathPolicy's. Call from one thread (the connection's).
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "paths/decisions.hpp"
#include "paths/extra_paths.hpp"
#include "paths/netlink_parse.hpp"
#include "paths/path_policy.hpp"
#include "paths/reconnector.hpp"
#include "paths/relay_paths.hpp"

namespace msocket::paths {

struct PathManagerConfig {
  Role role = Role::client;
  Reconnector::Settings timing;                      // retry_min, retry_max (rho), connect_timeout
  std::optional<boost::asio::ip::address> source;    // -s: the first flowpath's and each migration's
  PathPolicyConfig policy;
};

class PathManager {
 public:
  using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;
  // `local_addresses`: this host's addresses now (list_local_addresses).
  PathManager(const PathManagerConfig& config, std::vector<LocalAddress> local_addresses);

  // ---- the connection ------------------------------------------------------
  // Client: where the first flowpath went, and whether a locator (the peer's
  // name) can say where it went next.
  void set_remote(const boost::asio::ip::tcp::endpoint& remote) { reconnector_.set_remote(remote); }
  void set_locator(bool has_locator) { has_locator_ = has_locator; }
  // Client, once connected: the extra flowpaths the policy wants.
  Decisions start(TimePoint now);
  // Tell the peer our addresses with `port` (a wildcard listener's; 0 from a
  // client): now, on each new flowpath and whenever they change.
  Decisions advertise(std::uint16_t port);
  // A listener reached through relays: tell the peer their endpoints
  // instead (a flowpath through each, relay_paths.hpp), now and whenever
  // they change.
  Decisions advertise_relays(const Endpoints& relays);
  // Both directions of the stream are done: no new flowpaths.
  void stream_closing() { closing_ = true; }
  // The application asks to move every flowpath (cause `application`).
  Decisions migrate_all(TimePoint now);

  // ---- flowpaths -----------------------------------------------------------
  // A flowpath finished its handshake (from `attempt` if one of ours).
  Decisions flowpath_up(const FlowpathInfo& path, std::optional<AttemptId> attempt, TimePoint now);
  // The transport lost a flowpath (socket error, keepalive, a malformed
  // frame). Not for those the manager closed itself (CloseFlowpath).
  Decisions flowpath_down(PathId path, MigrationCause cause, TimePoint now);
  // A flowpath ended cleanly with the connection (closure): nothing to mend.
  void flowpath_closed(PathId path);
  Decisions attempt_failed(AttemptId attempt, AttemptStage stage, TimePoint now);

  // ---- the network and the peer --------------------------------------------
  // An rtnetlink event, with this host's addresses after it.
  Decisions address_event(const AddressEvent& event, const std::vector<LocalAddress>& local_addresses,
                          TimePoint now);
  // Client: the peer is at `where` now (`how`: "RECONNECT", "name changed");
  // `paths_dead`: it dropped its end of our flowpaths (a RECONNECT).
  Decisions peer_moved(const Endpoints& where, std::string_view how, bool paths_dead, TimePoint now);
  // Client: the peer's ADDRESSES frame (§2.8), where it accepts flowpaths,
  // or (`relays`) the relays it is reached through.
  Decisions peer_addresses(const Endpoints& offered, bool relays, TimePoint now);
  // The answer to LookUpPeer; nullopt if the lookup failed.
  Decisions lookup_done(const std::optional<Endpoints>& found, TimePoint now);

  // ---- time ----------------------------------------------------------------
  TimePoint next_deadline() const;
  Decisions on_timer(TimePoint now);

  // ---- what the transport asks ---------------------------------------------
  // The priority of a flowpath from `local` (its SETUP's backup flag).
  PathPriority priority_of(const boost::asio::ip::address& local) const;
  const std::vector<Migration>& migrations() const { return reconnector_.migrations(); }
  const std::optional<boost::asio::ip::tcp::endpoint>& remote() const { return reconnector_.remote(); }
  const std::vector<FlowpathInfo>& flowpaths() const { return flowpaths_; }
  const Endpoints& peer_offers() const { return peer_offers_; }
  const Endpoints& peer_relays() const { return relay_paths_.relays(); }
  const PathPolicy& policy() const { return *policy_; }

 private:
  Reconnector::Context reconnect_context();
  ExtraPaths::Context extra_context() const;
  RelayPaths::Context relay_context() const;
  // Takes `path` out of the table; starts an outage if it was the last.
  void lose(PathId path, MigrationCause cause, TimePoint now, Decisions& out);
  void close(PathId path, MigrationCause cause, std::string why, TimePoint now, Decisions& out);
  void refresh_advert(bool resend, Decisions& out);
  std::vector<PathId> lost_with(const AddressEvent& event) const;
  void mend_losses(const AddressEvent& event, const std::vector<PathId>& lost, TimePoint now, Decisions& out);

  Role role_;
  std::optional<boost::asio::ip::address> source_;
  std::unique_ptr<PathPolicy> policy_;
  std::vector<LocalAddress> local_addresses_;
  std::vector<FlowpathInfo> flowpaths_;
  Endpoints peer_offers_;  // where the server accepts flowpaths (§2.8)
  Reconnector reconnector_;
  ExtraPaths extra_paths_;
  RelayPaths relay_paths_;
  mutable std::uint64_t next_attempt_ = 0;
  mutable std::uint32_t next_path_id_ = 1;  // 0 is the first flowpath's
  bool has_locator_ = false;
  bool closing_ = false;
  std::optional<std::uint16_t> advertised_port_;  // set: we advertise
  std::optional<std::vector<boost::asio::ip::address>> advertised_;  // what we sent last
  std::optional<Endpoints> relay_advert_;     // set: we are reached through these relays
  std::optional<Endpoints> advertised_relays_;  // what we sent last
};

}  // namespace msocket::paths
