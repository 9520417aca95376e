// Session: per-path feedback for the scheduler and per-path figures
// (docs/protocol.md §3.2, docs/scheduler.md §7).
#include <algorithm>

#include "session/session.hpp"

namespace msocket::session {

void Session::path_delivered(PathId id, std::uint64_t bytes_acked, TimePoint now) {
  auto it = paths_.find(id);
  if (it == paths_.end() || !it->second.live) return;
  auto& path = it->second;
  last_now_ = std::max(last_now_, now);
  // More than we wrote would be a transport's miscount; take what we wrote.
  path.wire_acked = std::max(path.wire_acked, std::min(bytes_acked, path.wire_sent));
  path.tcp_reports = true;
  confirm_delivered(id, path, now);
}

void Session::path_rtt_sample(PathId id, Duration rtt) {
  auto it = paths_.find(id);
  if (it == paths_.end() || !it->second.live) return;
  it->second.tcp_rtt = true;
  scheduler_->on_rtt_sample(id, rtt);
}

void Session::path_congestion_window(PathId id, std::uint64_t bytes) {
  auto it = paths_.find(id);
  if (it == paths_.end() || !it->second.live) return;
  scheduler_->on_congestion_window(id, bytes);
}

// Frames of `path` count as delivered once its TCP acked them, in send order
// (TCP's order on the path). On a path whose transport never reported TCP
// acks, the connection's ack stands in, as far as the path's oldest frames
// go: a frame past a gap waits with the gap, and a frame whose copy arrived
// on another path counts as this path's delivery (so a stalled path whose
// bytes were copied looks alive again). With TCP's reports neither happens.
void Session::confirm_delivered(PathId id, PathState& path, TimePoint now) {
  std::uint64_t payload = path.payload_confirmed;
  while (!path.unconfirmed.empty()) {
    const auto& frames = path.unconfirmed.front();
    const bool by_ack = !path.tcp_reports && frames.range.end <= peer_ack_;
    if (frames.wire_end > path.wire_acked && !by_ack) break;
    payload = frames.payload_end;
    path.unconfirmed.pop_front();
  }
  if (payload == path.payload_confirmed) return;
  scheduler_->on_delivered(id, payload - path.payload_confirmed, now);
  path.payload_confirmed = payload;
}

// Whether anything we sent or must send is not acked yet: while so, the
// scheduler's deadline matters.
bool Session::data_outstanding() const {
  if (state_ != State::established) return false;
  const std::uint64_t end = fin_offset_ ? *fin_offset_ + 1 : write_end_;
  return peer_ack_ < end;
}

bool Session::awaits_room() const {
  if (!data_outstanding()) return false;
  const auto& ledger = scheduler_->ledger();
  if (!ledger.all_sent() || !ledger.lost().empty()) return true;
  return std::count_if(paths_.begin(), paths_.end(), [](const auto& p) { return p.second.live; }) > 1;
}

std::vector<PathReport> Session::path_report(TimePoint now) const {
  std::vector<PathReport> report;
  std::uint64_t total = 0;
  for (const auto& [id, path] : paths_) {
    PathReport r;
    r.id = id;
    r.live = path.live;
    r.bytes_sent = path.bytes_sent;
    r.bytes_received = path.bytes_received;
    if (const auto* estimate = path.live ? scheduler_->estimate(id) : nullptr) {
      r.rtt = estimate->srtt();
      r.delivery_rate = estimate->rate(now);
    }
    total += path.bytes_sent;
    report.push_back(r);
  }
  for (auto& r : report)
    r.share = total == 0 ? 0.0 : static_cast<double>(r.bytes_sent) / static_cast<double>(total);
  return report;
}

}  // namespace msocket::session
