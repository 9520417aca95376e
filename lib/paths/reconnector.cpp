// The rounds of a client's reconnection. Each round asks the locator first
// when the loss may mean the peer moved without telling us (a keepalive
// timeout behind a NAT) or the last round failed; then tries each known
// address of the peer. Rounds start on a clock: the next one is due a
// pause after this one started, twice as long as the last time up to rho,
// whether this one has ended or not. An attempt that hangs (a SYN to an
// address nobody has any more) does not hold up the next lookup: it goes
// on while the locator is asked again, and gives way only to a new first
// target. News of the network or of the peer starts a round at once, and
// abandons an attempt that may hang until its timeout for nothing.
#include "paths/reconnector.hpp"

#include <algorithm>

#include "paths/address_choice.hpp"

namespace msocket::paths {

namespace {
using Endpoints = Reconnector::Endpoints;

// `targets` that one of `ours` can reach first, then the others, each in
// their order: after a move to an IPv6-only network, the peer's IPv6
// address before the IPv4 one we connected to.
Endpoints reachable_first(Endpoints targets, const std::vector<LocalAddress>& ours) {
  std::stable_partition(targets.begin(), targets.end(), [&](const boost::asio::ip::tcp::endpoint& target) {
    return std::any_of(ours.begin(), ours.end(),
                       [&](const LocalAddress& local) { return usable_toward(local.address, target.address()); });
  });
  return targets;
}

// `first`, then those of `rest` not in it.
Endpoints merged(const Endpoints& first, const Endpoints& rest) {
  Endpoints all = first;
  for (const auto& e : rest)
    if (!contains(all, e)) all.push_back(e);
  return all;
}
}  // namespace

Reconnector::Reconnector(const Settings& settings) : settings_(settings), pause_(settings.retry_min) {}

void Reconnector::set_remote(const boost::asio::ip::tcp::endpoint& remote) {
  remote_ = remote;
  if (!contains(candidates_, remote)) candidates_.insert(candidates_.begin(), remote);
}

// One attempt lasts no longer than the retry interval (at least a second for
// the handshake): an old address that never answers must not hold up the
// next one for the whole connect timeout. (The next round's lookup does not
// wait for it at all.)
Duration Reconnector::attempt_timeout() const {
  return std::min(settings_.connect_timeout, std::max<Duration>(settings_.retry_max, std::chrono::seconds(1)));
}

void Reconnector::path_lost(MigrationCause cause, bool last, TimePoint now, const Context& context, Decisions& out) {
  if (cause == MigrationCause::client_move) self_moved_ = true;
  if (!last) return;  // the others carry on: no outage
  if (!outage_) outage_ = Outage{cause, now, now};
  wake(now, context, out);
}

void Reconnector::path_up(PathId path, std::optional<AttemptId> attempt, TimePoint now) {
  if (attempt && attempt == attempt_) {
    remote_ = attempt_target_;
    attempt_.reset();
    abandoning_ = false;
    // Where the peer is now, then what it offers: the addresses it left
    // behind in earlier moves would cost the next outage an attempt
    // (a connect timeout) each.
    candidates_ = merged({*remote_}, offers_);
  }
  if (!outage_) return;
  Migration m;
  m.cause = outage_->cause;
  if (peer_moved_) m.cause = self_moved_ ? MigrationCause::simultaneous : MigrationCause::server_move;
  m.path = path;
  m.recovery = now - outage_->since;
  m.outage = now - outage_->lost_at;
  migrations_.push_back(m);
  outage_.reset();
  self_moved_ = peer_moved_ = retry_now_ = false;
  failed_rounds_ = 0;
  phase_ = Phase::idle;
  pause_ = settings_.retry_min;
  wake_at_ = round_due_ = TimePoint::max();
}

void Reconnector::attempt_failed(AttemptId attempt, TimePoint now, const Context& context, Decisions& out) {
  if (attempt != attempt_) return;
  attempt_.reset();
  const bool gave_way = std::exchange(abandoning_, false);
  if (!outage_) {
    phase_ = Phase::idle;
    return;
  }
  if (phase_ == Phase::looking_up) return;  // the answer says where this round goes
  if (retry_now_) {  // the network or the peer changed meanwhile: start over, that was no failed round
    pause_ = settings_.retry_min;
    start_round(now, context, out);
    return;
  }
  if (!gave_way) ++next_target_;  // else it made way for this round's first target
  try_next_target(now, context, out);
}

void Reconnector::start_round(TimePoint now, const Context& context, Decisions& out) {
  retry_now_ = false;
  wake_at_ = TimePoint::max();
  round_due_ = now + pause_;
  // A keepalive timeout may mean the peer moved and could not tell us (we
  // are behind a NAT): ask where it is before trying the old address. After
  // our own move the old address is the best guess, and after a RECONNECT
  // the announced one: ask only after a failed round. A relay does not move
  // with the peer, which reserves its name there again from wherever it
  // went: through a relay, the loss of a flowpath asks only after a failed
  // round too (a relay that died refuses at once).
  const bool ask_first = outage_->cause == MigrationCause::path_failure && !context.remote_is_relay;
  if (context.has_locator && (ask_first || failed_rounds_ > 0)) {
    phase_ = Phase::looking_up;
    out.push_back(LookUpPeer{});
    return;
  }
  begin_targets(now, context, out);
}

// This round's targets, those our addresses reach first. An attempt still
// on its way from the last round goes on when the targets are the same (the
// round carries on where it is) or it goes to the new first one: a new SYN
// would only start its wait over. Otherwise it makes way for the first.
void Reconnector::begin_targets(TimePoint now, const Context& context, Decisions& out) {
  auto targets = reachable_first(candidates_, context.local_addresses);
  if (attempt_ && !abandoning_) {
    phase_ = Phase::trying;
    if (targets == round_) return;
    if (!targets.empty() && targets.front() == attempt_target_) {
      round_ = std::move(targets);
      next_target_ = 0;
      return;
    }
  }
  round_ = std::move(targets);
  next_target_ = 0;
  if (attempt_) {
    phase_ = Phase::trying;
    abandon_attempt(out);  // its failure starts the round
    return;
  }
  try_next_target(now, context, out);
}

void Reconnector::abandon_attempt(Decisions& out) {
  if (!attempt_ || abandoning_) return;
  abandoning_ = true;
  out.push_back(AbandonAttempt{*attempt_});
}

void Reconnector::try_next_target(TimePoint now, const Context& context, Decisions& out) {
  if (next_target_ < round_.size()) {
    attempt_ = AttemptId{++context.next_attempt};
    attempt_target_ = round_[next_target_];
    out.push_back(OpenFlowpath{*attempt_, AttemptKind::migrate, PathId{0}, context.source, attempt_target_,
                               attempt_timeout()});
    phase_ = Phase::trying;
    return;
  }
  // Every target failed: the next round is due a pause after this one
  // started, at once if this one took longer.
  ++failed_rounds_;
  phase_ = Phase::waiting;
  wake_at_ = std::max(now, round_due_);
}

void Reconnector::lookup_done(const std::optional<Endpoints>& found, TimePoint now, const Context& context,
                              Decisions& out) {
  if (phase_ != Phase::looking_up) return;
  if (found) {
    if (!remote_ || !contains(*found, *remote_)) peer_moved_ = true;
    candidates_ = merged(*found, candidates_);
  }
  begin_targets(now, context, out);
}

// The mobility loop's wake-up: a round starts now unless one is going on.
// News (retry_now_) does not wait for a lookup that was asked before it:
// its answer may be the record the news replaces.
void Reconnector::wake(TimePoint now, const Context& context, Decisions& out) {
  if (!outage_) return;
  if (phase_ == Phase::idle) {
    pause_ = settings_.retry_min;
    start_round(now, context, out);
  } else if (phase_ == Phase::waiting || (phase_ == Phase::looking_up && retry_now_)) {
    pause_ = retry_now_ ? settings_.retry_min : std::min(pause_ * 2, settings_.retry_max);
    start_round(now, context, out);
  }
}

void Reconnector::network_changed(bool new_network, TimePoint now, const Context& context, Decisions& out) {
  if (!outage_) return;
  // Rounds that failed on the old network (or with no address at all, as
  // between the delete and the add of a move) say nothing of where the
  // peer is: from a new one, the known addresses go first, unasked.
  if (new_network) {
    outage_->since = now;
    failed_rounds_ = 0;
  }
  retry_now_ = true;
  abandon_attempt(out);
  wake(now, context, out);
}

bool Reconnector::learn_peer_addresses(const Endpoints& where) {
  const bool same = where == candidates_;
  candidates_ = merged(where, candidates_);
  return !same;
}

void Reconnector::learn_offers(const Endpoints& offered) {
  // An address the peer offered before and no longer does is one it left
  // (unless we are connected to it).
  std::erase_if(candidates_, [&](const boost::asio::ip::tcp::endpoint& e) {
    return contains(offers_, e) && !contains(offered, e) && e != remote_;
  });
  offers_ = offered;
  candidates_ = merged(candidates_, offered);
}

void Reconnector::peer_news(const Endpoints& where, TimePoint now, const Context& context, Decisions& out) {
  if (!outage_) return;  // nothing to move (e.g. no flowpath yet)
  // What we were told is fresher than any lookup: try it before asking.
  failed_rounds_ = 0;
  // An attempt already on its way to where the peer is now goes on.
  if (attempt_ && contains(where, attempt_target_)) return;
  retry_now_ = true;
  abandon_attempt(out);
  wake(now, context, out);
}

// Waiting: the next round. Trying: the round after this one, which starts
// on time even if an attempt of this one hangs (its lookup may find the
// peer elsewhere). Looking up: the answer goes on with the round.
TimePoint Reconnector::next_deadline() const {
  if (phase_ == Phase::waiting) return wake_at_;
  if (phase_ == Phase::trying) return round_due_;
  return TimePoint::max();
}

void Reconnector::on_timer(TimePoint now, const Context& context, Decisions& out) {
  if (now < next_deadline()) return;
  pause_ = std::min(pause_ * 2, settings_.retry_max);
  start_round(now, context, out);
}

}  // namespace msocket::paths
