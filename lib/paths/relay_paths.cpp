#include "paths/relay_paths.hpp"

#include <algorithm>

#include "paths/address_choice.hpp"

namespace msocket::paths {

namespace {

using Endpoint = boost::asio::ip::tcp::endpoint;

// The same endpoint, whether either is written IPv4-mapped or not.
bool same(const Endpoint& a, const Endpoint& b) {
  return a.port() == b.port() && unmapped(a.address()) == unmapped(b.address());
}

bool among(const std::vector<Endpoint>& list, const Endpoint& e) {
  return std::any_of(list.begin(), list.end(), [&](const Endpoint& x) { return same(x, e); });
}

}  // namespace

bool RelayPaths::listed(const Endpoint& remote) const { return among(relays_, remote); }

bool RelayPaths::carries(const Endpoint& remote, const Context& context) const {
  for (const auto& path : context.flowpaths)
    if (same(path.remote, remote)) return true;
  return std::any_of(attempts_.begin(), attempts_.end(), [&](const Attempt& a) { return same(a.remote, remote); });
}

void RelayPaths::update(const Endpoints& relays, TimePoint now, const Context& context, Decisions& out) {
  Endpoints dropped;
  for (const auto& old : relays_)
    if (!among(relays, old)) dropped.push_back(old);
  relays_ = relays;
  std::erase_if(not_before_, [&](const auto& entry) { return !listed(entry.first); });
  std::erase_if(backoff_, [&](const auto& entry) { return !listed(entry.first); });
  fill(now, context, out);
  // A relay the listener gave up (it drains, or died): its flowpath goes,
  // once another carries the connection; the session sends its bytes again.
  const auto elsewhere = std::count_if(context.flowpaths.begin(), context.flowpaths.end(),
                                       [&](const FlowpathInfo& p) { return !among(dropped, p.remote); });
  if (elsewhere == 0) return;
  for (const auto& path : context.flowpaths)
    if (among(dropped, path.remote))
      out.push_back(CloseFlowpath{path.id, MigrationCause::server_move,
                                  "the peer no longer lists relay " + path.remote.address().to_string() + ":" +
                                      std::to_string(path.remote.port())});
}

// Opens a flowpath through each listed relay that has none, is not being
// tried and is not waiting to be tried again; only once the connection
// has a flowpath (in an outage, moving it is the reconnector's).
void RelayPaths::fill(TimePoint now, const Context& context, Decisions& out) {
  (void)now;
  if (context.closing || context.flowpaths.empty()) return;
  for (const auto& relay : relays_) {
    if (carries(relay, context) || not_before_.count(relay)) continue;
    open(relay, context, out);
  }
}

void RelayPaths::open(const Endpoint& remote, const Context& context, Decisions& out) {
  auto known = path_ids_.find(remote);
  if (known == path_ids_.end()) known = path_ids_.emplace(remote, PathId{context.next_path_id++}).first;
  Attempt attempt{AttemptId{++context.next_attempt}, remote};
  attempts_.push_back(attempt);
  out.push_back(OpenFlowpath{attempt.id, AttemptKind::add_path, known->second, context.source, remote,
                             settings_.connect_timeout});
}

void RelayPaths::path_up(std::optional<AttemptId> attempt, TimePoint now, const Context& context, Decisions& out) {
  if (attempt) {
    auto it = std::find_if(attempts_.begin(), attempts_.end(), [&](const Attempt& a) { return a.id == *attempt; });
    if (it != attempts_.end()) {
      backoff_.erase(it->remote);
      attempts_.erase(it);
    }
  }
  fill(now, context, out);
}

void RelayPaths::path_lost(const Endpoint& remote, TimePoint now) {
  if (!listed(remote)) return;
  // Its relay may have died (the listener will say so) or only dropped
  // this flow: try again soon, not at once, so a dead relay costs no loop.
  for (const auto& relay : relays_)
    if (same(relay, remote)) not_before_[relay] = now + settings_.retry_min;
}

void RelayPaths::retry_now(TimePoint now, const Context& context, Decisions& out) {
  not_before_.clear();
  backoff_.clear();
  fill(now, context, out);
}

bool RelayPaths::owns(AttemptId attempt) const {
  return std::any_of(attempts_.begin(), attempts_.end(), [&](const Attempt& a) { return a.id == attempt; });
}

void RelayPaths::failed(AttemptId attempt, TimePoint now) {
  auto it = std::find_if(attempts_.begin(), attempts_.end(), [&](const Attempt& a) { return a.id == attempt; });
  if (it == attempts_.end()) return;
  const auto remote = it->remote;
  attempts_.erase(it);
  if (!listed(remote)) return;
  for (const auto& relay : relays_) {
    if (!same(relay, remote)) continue;
    auto [wait, fresh] = backoff_.try_emplace(relay, settings_.retry_min);
    not_before_[relay] = now + wait->second;
    wait->second = std::min(wait->second * 2, settings_.retry_max);
  }
}

TimePoint RelayPaths::next_deadline() const {
  TimePoint next = TimePoint::max();
  for (const auto& [relay, when] : not_before_) next = std::min(next, when);
  return next;
}

void RelayPaths::on_timer(TimePoint now, const Context& context, Decisions& out) {
  std::erase_if(not_before_, [&](const auto& entry) { return entry.second <= now; });
  fill(now, context, out);
}

}  // namespace msocket::paths
