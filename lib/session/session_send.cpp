// Session: what goes out on a path (docs/protocol.md §3.2).
#include <algorithm>

#include "session/session.hpp"
#include "wire/codec.hpp"

namespace msocket::session {

std::uint64_t Session::send_limit() const { return std::min(write_end_, peer_window_); }

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

std::size_t Session::poll_transmit(PathId id, std::span<std::byte> out, TimePoint now) {
  auto it = paths_.find(id);
  if (it == paths_.end() || !it->second.live) return 0;
  auto& path = it->second;
  if (reset_pending_) {
    reset_pending_ = false;
    return wire::encode(wire::ResetFrame{0}, out);
  }
  if (done()) return 0;
  std::size_t n = write_control(path, out, now);
  n += write_data(path, out.subspan(n), now);
  if (ack_due_now(now)) {
    const wire::AckFrame ack{recv_.ack(), recv_.window()};
    if (const auto m = wire::encode(ack, out.subspan(n))) {
      n += m;
      ack_sent_ = ack.ack;
      window_sent_ = ack.window;
      ack_pending_since_.reset();
    }
  }
  return n;
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

std::size_t Session::write_data(PathState& path, std::span<std::byte> out, TimePoint) {
  std::size_t n = 0;
  const std::uint64_t fin = fin_offset_.value_or(UINT64_MAX);
  auto emit = [&](std::uint64_t offset, std::size_t len) {
    auto d = data_header(offset);
    d.fin = offset == fin;
    auto prefix = wire::encode_data_prefix(d, len, out.subspan(n));
    send_ring_.read_at(offset, out.subspan(n + prefix, len));
    n += prefix + len;
    path.in_flight.add({offset, offset + (d.fin ? 1 : len)});
    path.bytes_sent += len;
    ack_sent_ = d.ack;
    window_sent_ = d.window;
    ack_pending_since_.reset();
  };
  while (out.size() - n > wire::kDataPrefixSize) {
    const std::size_t room = out.size() - n - wire::kDataPrefixSize;
    const std::size_t max_len = std::min(room, config_.chunk_size);
    if (auto r = resend_.front()) {
      if (r->begin == fin) {
        resend_.pop_front(1);
        emit(fin, 0);
        continue;
      }
      const std::size_t len = std::min<std::uint64_t>({r->end, fin, r->begin + max_len}) - r->begin;
      resend_.pop_front(len);
      emit(r->begin, len);
      continue;
    }
    if (send_next_ < send_limit()) {
      const std::size_t len = std::min<std::uint64_t>(send_limit() - send_next_, max_len);
      emit(send_next_, len);
      send_next_ += len;
      continue;
    }
    if (send_next_ == fin && fin <= peer_window_) {
      emit(fin, 0);
      send_next_ = fin + 1;
      continue;
    }
    break;
  }
  return n;
}

}  // namespace msocket::session
