#include "paths/path_manager.hpp"

#include <algorithm>

#include "paths/address_choice.hpp"

namespace msocket::paths {

namespace {
// A RECONNECT may cross our own MIGRATE to the same address: a flowpath this
// young is that one, not one the peer dropped.
constexpr Duration kFreshPath = std::chrono::seconds(1);

}  // namespace

PathManager::PathManager(const PathManagerConfig& config, std::vector<LocalAddress> local_addresses)
    : role_(config.role),
      source_(config.source),
      policy_(make_path_policy(config.policy)),
      local_addresses_(std::move(local_addresses)),
      reconnector_(config.timing),
      extra_paths_(*policy_, ExtraPaths::Settings{config.timing.retry_max, config.timing.connect_timeout,
                                                  std::min(config.timing.connect_timeout,
                                                           std::max<Duration>(config.timing.retry_max,
                                                                              std::chrono::seconds(1)))}),
      relay_paths_(RelayPaths::Settings{std::chrono::milliseconds(500),
                                        std::max<Duration>(config.timing.retry_max, std::chrono::seconds(1)),
                                        config.timing.connect_timeout}) {}

Reconnector::Context PathManager::reconnect_context() {
  std::optional<LocalAddress> source;
  if (source_) source = find_in(local_addresses_, *source_);  // -s, while we still have it
  const auto& remote = reconnector_.remote();
  const bool through_relay = remote && contains(relay_paths_.relays(), *remote);
  return Reconnector::Context{next_attempt_, local_addresses_, std::move(source), has_locator_, through_relay};
}

ExtraPaths::Context PathManager::extra_context() const {
  return ExtraPaths::Context{next_attempt_,       next_path_id_, local_addresses_, reconnector_.remote(),
                             peer_offers_,        flowpaths_,    closing_};
}

RelayPaths::Context PathManager::relay_context() const {
  std::optional<LocalAddress> source;
  if (source_) source = find_in(local_addresses_, *source_);
  return RelayPaths::Context{next_attempt_, next_path_id_, flowpaths_, std::move(source), closing_};
}

Decisions PathManager::start(TimePoint now) {
  Decisions out;
  if (role_ == Role::client) extra_paths_.consider_all(now, extra_context(), out);
  return out;
}

Decisions PathManager::advertise(std::uint16_t port) {
  Decisions out;
  advertised_port_ = port;
  refresh_advert(false, out);
  return out;
}

Decisions PathManager::advertise_relays(const Endpoints& relays) {
  Decisions out;
  relay_advert_ = relays;
  refresh_advert(false, out);
  return out;
}

// Our addresses as the peer can use them (address_choice.hpp), or our
// relays, sent when they change, and again on each new flowpath: it may be
// the only one left that will ever write (a few dozen bytes).
void PathManager::refresh_advert(bool resend, Decisions& out) {
  if (flowpaths_.empty()) return;
  if (relay_advert_) {
    if (!resend && advertised_relays_ == relay_advert_) return;
    advertised_relays_ = relay_advert_;
    Advertise advert;
    advert.relays = *relay_advert_;
    out.push_back(std::move(advert));
    return;
  }
  if (!advertised_port_) return;
  auto addresses = addresses_to_offer(local_addresses_, flowpaths_.front().remote.address());
  if (!resend && advertised_ == addresses) return;
  advertised_ = addresses;
  out.push_back(Advertise{std::move(addresses), *advertised_port_, {}});
}

Decisions PathManager::migrate_all(TimePoint now) {
  Decisions out;
  std::vector<PathId> all;
  for (const auto& path : flowpaths_) all.push_back(path.id);
  for (auto id : all) close(id, MigrationCause::application, "migration asked by the application", now, out);
  return out;
}

Decisions PathManager::flowpath_up(const FlowpathInfo& path, std::optional<AttemptId> attempt, TimePoint now) {
  Decisions out;
  std::erase_if(flowpaths_, [&](const FlowpathInfo& known) { return known.id == path.id; });  // replaced
  flowpaths_.push_back(path);
  if (const auto local = find_in(local_addresses_, path.local.address())) flowpaths_.back().ifindex = local->ifindex;
  if (attempt && extra_paths_.owns(*attempt)) extra_paths_.succeeded(*attempt);
  reconnector_.path_up(path.id, attempt, now);
  if (role_ == Role::client) relay_paths_.path_up(attempt, now, relay_context(), out);
  refresh_advert(true, out);
  return out;
}

Decisions PathManager::flowpath_down(PathId path, MigrationCause cause, TimePoint now) {
  Decisions out;
  lose(path, cause, now, out);
  return out;
}

void PathManager::flowpath_closed(PathId path) {
  std::erase_if(flowpaths_, [&](const FlowpathInfo& known) { return known.id == path; });
}

void PathManager::lose(PathId path, MigrationCause cause, TimePoint now, Decisions& out) {
  const auto it = std::find_if(flowpaths_.begin(), flowpaths_.end(), [&](const auto& known) { return known.id == path; });
  if (it == flowpaths_.end()) return;
  const auto remote = it->remote;
  flowpaths_.erase(it);
  if (role_ != Role::client) return;
  relay_paths_.path_lost(remote, now);
  reconnector_.path_lost(cause, flowpaths_.empty(), now, reconnect_context(), out);
}

void PathManager::close(PathId path, MigrationCause cause, std::string why, TimePoint now, Decisions& out) {
  const bool known = std::any_of(flowpaths_.begin(), flowpaths_.end(), [&](const auto& p) { return p.id == path; });
  if (!known) return;
  out.push_back(CloseFlowpath{path, cause, std::move(why)});
  lose(path, cause, now, out);
}

Decisions PathManager::attempt_failed(AttemptId attempt, AttemptStage stage, TimePoint now) {
  Decisions out;
  if (extra_paths_.owns(attempt))
    extra_paths_.failed(attempt, stage, now, extra_context(), out);
  else if (relay_paths_.owns(attempt))
    relay_paths_.failed(attempt, now);
  else
    reconnector_.attempt_failed(attempt, now, reconnect_context(), out);
  return out;
}

// The flowpaths an address or link event takes away: those from a removed
// address and (client) those on an interface that went down.
std::vector<PathId> PathManager::lost_with(const AddressEvent& event) const {
  std::vector<PathId> lost;
  for (const auto& path : flowpaths_) {
    const bool address_gone = event.kind == AddressEventKind::address_removed &&
                              unmapped(path.local.address()) == unmapped(event.address);
    const bool link_gone = role_ == Role::client && event.kind == AddressEventKind::link_down &&
                           path.ifindex != 0 && path.ifindex == event.ifindex;
    if (address_gone || link_gone) lost.push_back(path.id);
  }
  return lost;
}

Decisions PathManager::address_event(const AddressEvent& event, const std::vector<LocalAddress>& local_addresses,
                                     TimePoint now) {
  Decisions out;
  local_addresses_ = local_addresses;
  const auto lost = lost_with(event);
  const auto cause = role_ == Role::client ? MigrationCause::client_move : MigrationCause::server_move;
  for (auto id : lost) {
    close(id, cause,
          event.kind == AddressEventKind::address_removed ? "local address " + event.address.to_string() + " removed"
                                                          : "link " + event.ifname + " down",
          now, out);
  }
  const bool address_change =
      event.kind == AddressEventKind::address_added || event.kind == AddressEventKind::address_removed;
  if (address_change) refresh_advert(false, out);
  if (role_ == Role::client) mend_losses(event, lost, now, out);
  return out;
}

// Client: replace flowpaths lost while others carry on, open flowpaths from
// new addresses, and during an outage try again at once from a new network.
void PathManager::mend_losses(const AddressEvent& event, const std::vector<PathId>& lost, TimePoint now,
                              Decisions& out) {
  const bool live = !flowpaths_.empty();
  if (!lost.empty() && live) {
    const auto other = flowpaths_.front().local.address();
    auto from = find_in(local_addresses_, other);
    if (!from) from.emplace().address = other;
    for (auto id : lost) extra_paths_.replace(id, *from, now, extra_context(), out);
  }
  if (has_locator_ && (!lost.empty() || event.kind == AddressEventKind::address_added))
    out.emplace_back(std::in_place_type<NetworkChanged>);
  // A returning or new address gets its flowpath (again), once the
  // connection has one to build on.
  if (event.kind == AddressEventKind::address_added && live) {
    if (const auto local = find_in(local_addresses_, event.address))
      extra_paths_.consider(*local, now, extra_context(), out);
  }
  if (event.kind == AddressEventKind::route_added && live) extra_paths_.retry_now(now, extra_context(), out);
  const bool new_way = event.kind == AddressEventKind::address_added || event.kind == AddressEventKind::link_up ||
                       event.kind == AddressEventKind::route_added;
  if (new_way && live) relay_paths_.retry_now(now, relay_context(), out);
  const bool new_network = event.kind == AddressEventKind::address_added || event.kind == AddressEventKind::link_up;
  if ((new_network || event.kind == AddressEventKind::route_added) && !live)
    reconnector_.network_changed(new_network, now, reconnect_context(), out);
}

Decisions PathManager::peer_moved(const Endpoints& where, std::string_view how, bool paths_dead, TimePoint now) {
  Decisions out;
  if (role_ != Role::client || where.empty()) return out;
  const bool changed = reconnector_.learn_peer_addresses(where);
  if (!changed && !paths_dead) return out;
  // Flowpaths to an address the peer no longer has are dead even if their
  // keepalive has not noticed yet: move them now.
  std::vector<PathId> stale;
  for (const auto& path : flowpaths_) {
    const bool dropped = paths_dead && now - path.opened > kFreshPath;
    if (!contains(where, path.remote) || dropped) stale.push_back(path.id);
  }
  const bool outage = flowpaths_.empty() || stale.size() == flowpaths_.size();
  if (!outage) return out;
  reconnector_.note_peer_moved();
  for (auto id : stale) close(id, MigrationCause::server_move, "peer moved (" + std::string(how) + ")", now, out);
  reconnector_.peer_news(where, now, reconnect_context(), out);
  return out;
}

Decisions PathManager::peer_addresses(const Endpoints& offered, bool relays, TimePoint now) {
  Decisions out;
  if (role_ != Role::client) return out;
  if (relays) {
    // Where to go should every flowpath fail, and a flowpath through each.
    reconnector_.learn_offers(offered);
    relay_paths_.update(offered, now, relay_context(), out);
    std::vector<std::pair<PathId, MigrationCause>> closed;
    for (const auto& decision : out)
      if (const auto* close = std::get_if<CloseFlowpath>(&decision)) closed.emplace_back(close->path, close->cause);
    for (const auto& [path, cause] : closed) lose(path, cause, now, out);
    return out;
  }
  // A client advertises where it is (port 0), not where it accepts
  // flowpaths: only a server's list is a list of places to connect to.
  if (role_ != Role::client || offered.empty() || offered.front().port() == 0 || offered == peer_offers_) return out;
  peer_offers_ = offered;
  reconnector_.learn_offers(offered);
  // An extra flowpath that found no way to the address we connected to may
  // find one to an address just offered.
  if (!flowpaths_.empty()) extra_paths_.retry_now(now, extra_context(), out);
  return out;
}

Decisions PathManager::lookup_done(const std::optional<Endpoints>& found, TimePoint now) {
  Decisions out;
  reconnector_.lookup_done(found, now, reconnect_context(), out);
  return out;
}

TimePoint PathManager::next_deadline() const {
  return std::min({reconnector_.next_deadline(), extra_paths_.next_deadline(), relay_paths_.next_deadline()});
}

Decisions PathManager::on_timer(TimePoint now) {
  Decisions out;
  reconnector_.on_timer(now, reconnect_context(), out);
  extra_paths_.on_timer(now, extra_context(), out);
  if (role_ == Role::client) relay_paths_.on_timer(now, relay_context(), out);
  return out;
}

PathPriority PathManager::priority_of(const boost::asio::ip::address& local) const {
  return policy_->priority(find_in(local_addresses_, local));
}

}  // namespace msocket::paths
