#include "paths/extra_paths.hpp"

#include <algorithm>

#include "paths/address_choice.hpp"

namespace msocket::paths {

ExtraPaths::ExtraPaths(const PathPolicy& policy, const Settings& settings) : policy_(policy), settings_(settings) {}

bool ExtraPaths::wants(const LocalAddress& local, const Context& context) const {
  if (!context.remote || context.closing) return false;
  const auto address = unmapped(local.address);
  for (const auto& attempt : attempts_)
    if (!attempt.replacement && unmapped(attempt.local.address) == address) return false;  // being opened
  for (const auto& path : context.flowpaths)
    if (unmapped(path.local.address()) == address) return false;  // already carries one
  return policy_.wants_extra_path(local, *context.remote);
}

void ExtraPaths::consider(const LocalAddress& local, TimePoint now, const Context& context, Decisions& out) {
  (void)now;
  if (!wants(local, context)) return;
  const auto address = unmapped(local.address);
  auto known = path_ids_.find(address);
  // The same flowpath again from the same address: the peer replaces it.
  if (known == path_ids_.end()) known = path_ids_.emplace(address, PathId{context.next_path_id++}).first;
  Attempt attempt;
  attempt.path = known->second;
  attempt.local = local;
  attempt.targets = remotes_for(local, context.remote, context.peer_offers);
  attempts_.push_back(std::move(attempt));
  open_next(attempts_.back(), context, out);
}

void ExtraPaths::consider_all(TimePoint now, const Context& context, Decisions& out) {
  for (const auto& local : context.local_addresses) consider(local, now, context, out);
}

void ExtraPaths::retry_now(TimePoint now, const Context& context, Decisions& out) {
  for (auto& attempt : attempts_) {
    if (attempt.replacement) continue;
    attempt.again = true;
    out.push_back(AbandonAttempt{attempt.id});
  }
  consider_all(now, context, out);
}

void ExtraPaths::replace(PathId path, const LocalAddress& from, TimePoint now, const Context& context,
                         Decisions& out) {
  (void)now;
  Attempt attempt;
  attempt.path = path;
  attempt.local = from;
  attempt.targets = remotes_for(from, context.remote, context.peer_offers);
  attempt.replacement = true;
  attempts_.push_back(std::move(attempt));
  open_next(attempts_.back(), context, out);
}

// Each of the peer's addresses but the last is tried for at most
// attempt_timeout, so one that never answers does not hold up the others.
void ExtraPaths::open_next(Attempt& attempt, const Context& context, Decisions& out) {
  const bool last = attempt.next + 1 >= attempt.targets.size();
  attempt.id = AttemptId{++context.next_attempt};
  out.push_back(OpenFlowpath{attempt.id, AttemptKind::add_path, attempt.path, attempt.local,
                             attempt.targets[attempt.next],
                             last ? settings_.connect_timeout : settings_.attempt_timeout});
}

bool ExtraPaths::owns(AttemptId id) const {
  return std::any_of(attempts_.begin(), attempts_.end(), [id](const Attempt& a) { return a.id == id; });
}

void ExtraPaths::succeeded(AttemptId id) {
  std::erase_if(attempts_, [id](const Attempt& a) { return a.id == id; });
}

void ExtraPaths::failed(AttemptId id, AttemptStage stage, TimePoint now, const Context& context, Decisions& out) {
  auto it = std::find_if(attempts_.begin(), attempts_.end(), [id](const Attempt& a) { return a.id == id; });
  if (it == attempts_.end()) return;
  // A peer that refuses ADD_PATH (or answers wrongly) will do so again.
  if (stage == AttemptStage::handshake) {
    attempts_.erase(it);
    return;
  }
  if (!it->again && ++it->next < it->targets.size()) {
    open_next(*it, context, out);
    return;
  }
  end(it, now, context, out);
}

// Every address of the peer failed, or the attempt was started over: again
// at once if a route or an offer came meanwhile, else a retry interval
// later, while the address is there.
void ExtraPaths::end(std::vector<Attempt>::iterator attempt, TimePoint now, const Context& context, Decisions& out) {
  const bool again = attempt->again;
  const LocalAddress local = attempt->local;
  attempts_.erase(attempt);
  if (!again) {
    retries_.emplace(now + settings_.retry_max, local);
  } else if (find_in(context.local_addresses, local.address)) {
    consider(local, now, context, out);
  }
}

TimePoint ExtraPaths::next_deadline() const { return retries_.empty() ? TimePoint::max() : retries_.begin()->first; }

void ExtraPaths::on_timer(TimePoint now, const Context& context, Decisions& out) {
  while (!retries_.empty() && retries_.begin()->first <= now) {
    const LocalAddress local = retries_.begin()->second;
    retries_.erase(retries_.begin());
    if (const auto still = find_in(context.local_addresses, local.address)) consider(*still, now, context, out);
  }
}

}  // namespace msocket::paths
