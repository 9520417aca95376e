// Session: frames from the peer.
#include <algorithm>

#include "core/log.hpp"
#include "session/session.hpp"

namespace msocket::session {

boost::system::error_code Session::on_frame(PathId from, const wire::Frame& frame, TimePoint now) {
  auto it = paths_.find(from);
  // Frames still queued on a path we already gave up are stale, not hostile.
  if (it == paths_.end() || !it->second.live || done()) return {};
  auto& path = it->second;
  path.last_recv = now;
  last_now_ = std::max(last_now_, now);

  boost::system::error_code ec;
  if (const auto* d = std::get_if<wire::DataFrame>(&frame)) {
    ec = on_data(path, *d, now);
  } else if (const auto* a = std::get_if<wire::AckFrame>(&frame)) {
    ec = on_ack(a->ack, a->window);
  } else if (const auto* ping = std::get_if<wire::PingFrame>(&frame)) {
    // An honest peer pings once a keepalive interval; keep a few tokens only
    // so a flood cannot grow memory.
    if (path.pongs_due.size() < 4) path.pongs_due.push_back(ping->token);
  } else if (const auto* pong = std::get_if<wire::PongFrame>(&frame)) {
    if (path.ping_token && *path.ping_token == pong->token) {
      const Duration sample = now - TimePoint(Duration(pong->token));
      path.srtt = path.srtt ? (*path.srtt * 7 + sample) / 8 : sample;
      path.ping_token.reset();
      if (!path.tcp_rtt) scheduler_->on_rtt_sample(from, sample);
    }
  } else if (std::holds_alternative<wire::ResetFrame>(frame)) {
    log::session()->info("path={} peer reset the connection", to_int(from));
    fail(errc::connection_reset);
    return {};
  } else {
    // §2.1: SETUP and SETUP_ACK belong to the first frames of a flowpath only.
    ec = errc::bad_frame;
  }
  if (!ec) after_progress(now);
  return ec;
}

boost::system::error_code Session::on_data(PathState& path, const wire::DataFrame& d,
                                           TimePoint now) {
  if (auto ec = on_ack(d.ack, d.window)) return ec;
  auto ec = d.fin ? recv_.set_fin(d.offset) : recv_.insert(d.offset, d.payload);
  if (ec) return ec;
  path.bytes_received += d.payload.size();
  if (!d.payload.empty()) last_stream_activity_ = std::max(last_stream_activity_, now);
  // Only news is worth an ack: a duplicate (re-sent after a move) would
  // otherwise arm a deadline that no ack ever clears.
  if (!ack_pending_since_ && recv_.ack() != ack_sent_) ack_pending_since_ = now;
  return {};
}

boost::system::error_code Session::on_ack(std::uint64_t ack, std::uint64_t window) {
  // The peer cannot have received what we never sent (the FIN counts one).
  if (ack > send_next_) return errc::peer_ahead;
  const bool news = ack > peer_ack_ || window > peer_window_;
  peer_window_ = std::max(peer_window_, window);
  if (ack > peer_ack_) {
    peer_ack_ = ack;
    for (auto& [id, path] : paths_) path.in_flight.remove_below(ack);
  }
  if (!news) return {};
  scheduler_->on_ack(std::min(peer_ack_, write_end_), peer_window_);
  // Without TCP's word, the ack tells which frames of each path arrived.
  for (auto& [id, path] : paths_)
    if (path.live) confirm_delivered(id, path, last_now_);
  release_sent();
  return {};
}

}  // namespace msocket::session
