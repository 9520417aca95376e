#include "transport/reconnect_batch.hpp"

namespace msocket::transport {

void ReconnectBatch::add(PendingReconnect r, TimePoint now) {
  r.tries = 0;
  const auto id = r.conn_id;
  pending_.insert_or_assign(id, std::move(r));
  next_send_ = now;
  wait_ = kFirstReconnectWait;
  sent_once_ = false;
  hurried_ = false;
}

std::vector<const PendingReconnect*> ReconnectBatch::take_due(TimePoint now) {
  given_up_.clear();
  std::vector<const PendingReconnect*> due;
  if (pending_.empty() || now < next_send_) return due;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.tries >= kReconnectTries) {  // its last wait has passed
      given_up_.push_back(it->first);
      it = pending_.erase(it);
      continue;
    }
    ++it->second.tries;
    due.push_back(&it->second);
    ++it;
  }
  if (sent_once_ && !hurried_) wait_ *= 2;  // the last round timed out
  sent_once_ = true;
  hurried_ = false;
  next_send_ = now + wait_;
  return due;
}

void ReconnectBatch::hurry(TimePoint now) {
  if (pending_.empty() || next_send_ <= now) return;
  next_send_ = now;
  hurried_ = true;
}

bool ReconnectBatch::acknowledge(std::uint64_t conn_id, std::uint64_t counter) {
  const auto it = pending_.find(conn_id);
  if (it == pending_.end() || it->second.counter != counter) return false;
  pending_.erase(it);
  return true;
}

void ReconnectBatch::forget(std::uint64_t conn_id) { pending_.erase(conn_id); }

std::optional<TimePoint> ReconnectBatch::next_send() const {
  if (pending_.empty()) return std::nullopt;
  return next_send_;
}

std::vector<std::uint64_t> ReconnectBatch::connections() const {
  std::vector<std::uint64_t> ids;
  ids.reserve(pending_.size());
  for (const auto& [id, r] : pending_) ids.push_back(id);
  return ids;
}

}  // namespace msocket::transport
