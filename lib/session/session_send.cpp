// Session: what goes out on a path (docs/protocol.md §3.2).
#include <algorithm>

#include "session/session.hpp"
#include "wire/codec.hpp"

namespace msocket::session {

wire::DataFrame Session::data_header(std::uint64_t offset) const {
  wire::DataFrame d;
  d.offset = offset;
  d.ack = recv_.ack();
  d.window = recv_.window();
  return d;
}

bool Session::ack_due_now(TimePoint now) const {
  const std::uint64_t ack = recv_.ack();
  const std::uint64_t window = recv_.window();
  if (ack == ack_sent_ && window == window_sent_) return false;
  if (recv_.fin_received() && ack_sent_ < ack) return true;  // a FIN is acked at once
  const std::uint64_t quarter = config_.recv_buffer / 4;
  if (ack - ack_sent_ >= quarter || window - window_sent_ >= quarter) return true;
  return ack_pending_since_ && now >= *ack_pending_since_ + config_.ack_delay;
}

std::size_t Session::poll_transmit(PathId id, std::span<std::byte> out, TimePoint now,
                                   std::vector<PayloadRef>* payloads) {
  auto it = paths_.find(id);
  if (it == paths_.end() || !it->second.live) return 0;
  auto& path = it->second;
  if (reset_pending_) {
    reset_pending_ = false;
    return wire::encode(wire::ResetFrame{0}, out);
  }
  if (done()) return 0;
  last_now_ = std::max(last_now_, now);
  // Every frame adds to the path's output count (wire_sent) as it is
  // written, so that path_delivered can tell which DATA frames TCP has acked.
  std::size_t n = write_control(path, out, now);
  path.wire_sent += n;
  n += write_data(id, path, out.subspan(n), now, payloads);
  // §3.4: in time_wait every path carries our final ack once, ahead of the
  // TCP FIN that follows when it has nothing more to send: the FIN then
  // means "the final ack is here" on whichever path the peer sees it, even
  // if another path that carried the ack has stalled.
  const bool final_ack = state_ == State::time_wait && !path.fin_confirmed;
  if (final_ack || (ack_due_now(now) && ack_goes_on(id, now))) {
    const wire::AckFrame ack{recv_.ack(), recv_.window()};
    if (const auto m = wire::encode(ack, out.subspan(n))) {
      n += m;
      path.wire_sent += m;
      path.fin_confirmed = state_ == State::time_wait;
      ack_sent_ = ack.ack;
      window_sent_ = ack.window;
      ack_pending_since_.reset();
      ack_held_since_.reset();
    }
  }
  return n;
}

// §3.2: a standalone ACK goes on the live path with the shortest RTT among
// those that brought us something lately (within twice their RTT, 50 ms at
// least): a window update that crosses the slow path holds the peer's window
// longer, and one that goes into a stalled path is lost. If no path brought
// anything lately, the one that brought something last.
std::optional<PathId> Session::ack_path(TimePoint now) const {
  std::optional<PathId> quickest, latest;
  Duration quickest_rtt = Duration::max();
  TimePoint latest_recv = TimePoint::min();
  for (const auto& [id, path] : paths_) {
    if (!path.live) continue;
    if (path.last_recv > latest_recv) {
      latest_recv = path.last_recv;
      latest = id;
    }
    const auto* estimate = scheduler_->estimate(id);
    const Duration rtt = estimate ? estimate->srtt() : Duration::max() / 4;
    const bool fresh = now - path.last_recv <= std::max<Duration>(2 * rtt, 50ms);
    if (fresh && rtt < quickest_rtt) {
      quickest_rtt = rtt;
      quickest = id;
    }
  }
  return quickest ? quickest : latest;
}

// Whether a due ACK goes out on `id` now: on the ack path; on another one
// only once the ack has waited ack_delay for it (its writer may be busy),
// or at once outside `established` (closure must not wait on a choice).
bool Session::ack_goes_on(PathId id, TimePoint now) {
  if (state_ != State::established || ack_path(now) == id) return true;
  if (!ack_held_since_) ack_held_since_ = now;
  return now >= *ack_held_since_ + config_.ack_delay;
}

std::size_t Session::write_control(PathState& path, std::span<std::byte> out, TimePoint now) {
  std::size_t n = 0;
  while (!path.pongs_due.empty()) {
    const auto m = wire::encode(wire::PongFrame{path.pongs_due.front()}, out.subspan(n));
    if (m == 0) return n;
    n += m;
    path.pongs_due.erase(path.pongs_due.begin());
  }
  if (state_ == State::established && now >= path.last_ping + config_.keepalive_interval) {
    const std::uint64_t token = static_cast<std::uint64_t>(now.time_since_epoch().count());
    if (const auto m = wire::encode(wire::PingFrame{token}, out.subspan(n))) {
      n += m;
      path.ping_token = token;
      path.last_ping = now;
    }
  }
  return n;
}

// Data for `id` (§3.2): what the scheduler gives this path, framed in the
// order it was given (the path's TCP keeps that order, and the scheduler
// counts deliveries in it), then the FIN once everything before it is sent.
std::size_t Session::write_data(PathId id, PathState& path, std::span<std::byte> out,
                                TimePoint now, std::vector<PayloadRef>* payloads) {
  std::size_t n = 0;
  while (out.size() - n > wire::kDataPrefixSize) {
    const std::size_t room = out.size() - n - wire::kDataPrefixSize;
    if (path.owed.empty()) {
      if (peer_ack_ >= write_end_) break;  // everything written is acked: nothing to send
      // Ranges count as sent as soon as they are returned; those that do not
      // fit in `out` stay owed to this path for its next poll.
      for (const auto& r : scheduler_->next_ranges(id, room, now)) path.owed.push_back({r.begin, r.end});
      if (path.owed.empty()) break;
    }
    auto& r = path.owed.front();
    const std::size_t len = std::min<std::uint64_t>({r.size(), room, config_.chunk_size});
    n += emit_data(path, r.begin, len, out.subspan(n), payloads);
    r.begin += len;
    if (r.begin == r.end) path.owed.pop_front();
  }
  if (fin_due(path) && out.size() - n >= wire::kDataPrefixSize) {
    n += emit_data(path, *fin_offset_, 0, out.subspan(n), payloads);
    fin_path_ = id;
  }
  release_sent();
  return n;
}

// One DATA frame (the FIN if `offset` is the FIN's and `len` 0), with our
// ack and window on it; with `payloads`, its payload only referred to.
std::size_t Session::emit_data(PathState& path, std::uint64_t offset, std::size_t len,
                               std::span<std::byte> out, std::vector<PayloadRef>* payloads) {
  auto d = data_header(offset);
  d.fin = fin_offset_ == offset && len == 0;
  const std::size_t prefix = wire::encode_data_prefix(d, len, out);
  if (!payloads) {
    send_ring_.read_at(offset, out.subspan(prefix, len));
  } else if (len > 0) {
    // The bytes stay in the ring until our write is done: release_sent
    // below only moves its base, and only the application's next write
    // reuses the space (see poll_transmit).
    const auto first = send_ring_.readable_span(offset, len);
    const auto second = send_ring_.readable_span(offset + first.size(), len - first.size());
    payloads->push_back({out.data() + prefix, first, second});
  }
  const std::uint64_t end = offset + (d.fin ? 1 : len);
  path.in_flight.add({offset, end});
  path.bytes_sent += len;
  send_next_ = std::max(send_next_, end);
  const std::uint64_t wire_end = path.wire_sent + prefix + len;
  auto& frames = path.unconfirmed;
  if (!frames.empty() && frames.back().range.end == offset &&
      frames.back().range.size() < config_.chunk_size) {
    frames.back().wire_end = wire_end;  // one entry for a run of small frames
    frames.back().payload_end += len;
    frames.back().range.end = end;
  } else {
    const std::uint64_t payload_before = frames.empty() ? path.payload_confirmed : frames.back().payload_end;
    frames.push_back({wire_end, payload_before + len, {offset, end}});
  }
  path.wire_sent += prefix + len;
  ack_sent_ = d.ack;
  window_sent_ = d.window;
  ack_pending_since_.reset();
  ack_held_since_.reset();
  return prefix + len;
}

// §3.4: the FIN goes out once every byte before it has been sent, inside the
// window, on one path at a time (again only if that path fails).
bool Session::fin_due(const PathState& path) const {
  if (!fin_offset_ || fin_path_ || peer_ack_ > *fin_offset_) return false;
  return path.owed.empty() && scheduler_->ledger().next_new() >= *fin_offset_ &&
         *fin_offset_ <= peer_window_;
}

// Forgets sent bytes the peer has acked, except those still owed to a path.
void Session::release_sent() {
  std::uint64_t keep_from = std::min(peer_ack_, write_end_);
  for (const auto& [id, path] : paths_)
    for (const auto& r : path.owed) keep_from = std::min(keep_from, r.begin);
  if (keep_from > send_ring_.base()) send_ring_.release_until(keep_from);
}

}  // namespace msocket::session
