// The model of each side's transport (what docs/protocol.md §3 asks of a real
// one): flowpath handshakes, frames in and out of the session, half-close in
// time_wait, RST otherwise, and the client's reconnection.
#include "sim_world_internal.hpp"

namespace msocket::sim::detail {

void World::send(std::size_t conn, int side, Segment s) {
  auto& pipe = conns_[conn].pipe[side];
  if (pipe.push(std::move(s), now_))
    events_.push(Event{pipe.queue.back().arrival, seq_++, EventKind::arrival, side, conn});
}

// TCP cuts the stream wherever it likes: so do we. Scripted runs cut it in
// segments of kSegment bytes, so that deliveries come as a steady flow.
void World::send_bytes(std::size_t conn, int side, Bytes bytes) {
  conns_[conn].end[side].written += bytes.size();
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    const std::size_t left = bytes.size() - pos;
    const std::size_t n = scenario_ ? std::min(left, kSegment) : chance(0.7) ? left : uniform(1, left);
    Segment s;
    s.bytes.assign(bytes.begin() + static_cast<std::ptrdiff_t>(pos),
                   bytes.begin() + static_cast<std::ptrdiff_t>(pos + n));
    send(conn, side, std::move(s));
    pos += n;
  }
}

void World::on_arrival(std::size_t conn, int sender) {
  auto& pipe = conns_[conn].pipe[sender];
  while (!failed_ && pipe.arrived(now_)) {
    Segment s = std::move(pipe.queue.front());
    pipe.queue.pop_front();
    if (s.kind == SegmentKind::bytes) {
      pipe.delivered += s.bytes.size();
      if (tcp_feedback_ || scenario_) report_tcp_ack(conn, sender);
    }
    deliver(conn, 1 - sender, s);
  }
}

// The sender's TCP learns what arrived one reverse delay later; its
// transport passes that on (Session::path_delivered, as from TCP_INFO) with
// TCP's RTT, which here is the propagation round trip.
void World::report_tcp_ack(std::size_t conn, int sender) {
  const auto& c = conns_[conn];
  if (c.pipe[1 - sender].cut || c.pipe[1 - sender].stalled_since) return;
  events_.push(Event{now_ + c.pipe[1 - sender].delay, seq_++, EventKind::tcp_ack, sender, conn,
                     c.pipe[sender].delivered});
}

void World::on_tcp_ack(const Event& e) {
  auto& c = conns_[e.conn];
  auto& e_side = *ep_[e.side];
  auto& sock = c.end[e.side];
  sock.acked = std::max(sock.acked, e.value);
  if (!tcp_feedback_ || !sock.open || !sock.attached) return;
  if (auto it = e_side.current.find(c.path); it == e_side.current.end() || it->second != e.conn) return;
  e_side.session.path_delivered(c.path, e.value, now_);
  e_side.session.path_rtt_sample(c.path, c.pipe[0].delay + c.pipe[1].delay);
}

void World::deliver(std::size_t conn, int side, Segment& s) {
  if (!conns_[conn].end[side].open) return;  // closed here: discarded
  switch (s.kind) {
    case SegmentKind::setup: on_setup(conn, s); break;
    case SegmentKind::setup_ack: on_setup_ack(conn, s); break;
    case SegmentKind::bytes: on_bytes(conn, side, s.bytes); break;
    case SegmentKind::eof: on_eof(conn, side); break;
    case SegmentKind::reset: close_socket(conn, side, Close::silent); break;
  }
}

void World::on_bytes(std::size_t conn, int side, const Bytes& bytes) {
  auto& c = conns_[conn];
  auto& sock = c.end[side];
  auto& e = *ep_[side];
  if (!sock.attached) return fail("stream bytes before the handshake");
  if (auto it = e.current.find(c.path); it == e.current.end() || it->second != conn)
    return fail("an open socket that is not its path's");
  sock.partial.insert(sock.partial.end(), bytes.begin(), bytes.end());
  std::span<const std::byte> in(sock.partial);
  std::size_t used = 0;
  while (true) {
    auto d = wire::decode(in.subspan(used));
    if (!d) {
      if (d.error() == errc::need_more) break;
      return fail("decode: " + d.error().message());
    }
    if (trace_) {
      if (const auto* f = std::get_if<wire::DataFrame>(&d->frame))
        trace(name(side), "gets DATA conn", conn, "off", f->offset, "len", f->payload.size(), f->fin ? "FIN" : "",
              "ack", f->ack, "win", f->window);
      else if (const auto* a = std::get_if<wire::AckFrame>(&d->frame))
        trace(name(side), "gets ACK conn", conn, "ack", a->ack, "win", a->window);
    }
    if (auto ec = e.session.on_frame(c.path, d->frame, now_))
      return fail(std::string(side == kClient ? "client" : "server") + " on_frame: " + ec.message());
    used += d->consumed;
  }
  sock.partial.erase(sock.partial.begin(), sock.partial.begin() + static_cast<std::ptrdiff_t>(used));
}

// §3.4: a TCP FIN means the peer is in time_wait (or closed): confirmation in
// time_wait, a path failure otherwise.
void World::on_eof(std::size_t conn, int side) {
  auto& c = conns_[conn];
  trace(name(side), "EOF on conn", conn);
  if (c.end[side].attached) ep_[side]->session.path_eof(c.path, now_);
  close_socket(conn, side, polite(side));
}

// Only a side in time_wait or closed may end a flowpath with a TCP FIN, so
// that the FIN always means "closure confirmed" (§3.4); otherwise RST.
Close World::polite(int side) const {
  const auto st = ep_[side]->session.state();
  return st == State::time_wait || st == State::closed ? Close::graceful : Close::abort;
}

void World::on_setup(std::size_t conn, const Segment& s) {
  auto& c = conns_[conn];
  auto& server = *ep_[kServer];
  Segment answer;
  answer.kind = SegmentKind::setup_ack;
  if (server.session.done()) {  // §3.4: nothing more to exchange
    answer.refused = true;
    send(conn, kServer, std::move(answer));
    close_socket(conn, kServer, Close::graceful);
    return;
  }
  // §3.3: a SETUP for a path id in use replaces that flowpath.
  if (auto it = server.current.find(c.path); it != server.current.end())
    close_socket(it->second, kServer, Close::abort);
  if (!attach(conn, kServer, s)) return;
  answer.ack = server.session.recv_ack();
  answer.window = server.session.recv_window();
  send(conn, kServer, std::move(answer));
}

void World::on_setup_ack(std::size_t conn, const Segment& s) {
  auto& c = conns_[conn];
  auto& client = *ep_[kClient];
  if (attempt_ == conn) attempt_.reset();
  std::optional<paths::AttemptId> ordered;
  if (auto it = ordered_.find(conn); it != ordered_.end()) {
    ordered = it->second;
    ordered_.erase(it);
  }
  if (s.refused) {
    ++outcome_.closed_answers;
    trace("client: SETUP_ACK closed");
    client.session.peer_closed(now_);
    close_socket(conn, kClient, Close::silent);
    return;
  }
  if (auto it = client.current.find(c.path); it != client.current.end())
    return fail("the client reused a path id it still has");
  if (!attach(conn, kClient, s) || !client.paths) return;
  if (!client.paths->remote()) client.paths->set_remote(flowpath_info(conn).remote);  // NEW
  execute(client.paths->flowpath_up(flowpath_info(conn), ordered, now_));
}

// The world's endpoints for a connection: the client at 10.0.0.1, its port
// the connection's number; the server at 10.0.0.2:7000.
paths::FlowpathInfo World::flowpath_info(std::size_t conn) const {
  using boost::asio::ip::make_address;
  const auto port = static_cast<unsigned short>(1024 + conn % 60000);
  return paths::FlowpathInfo{conns_[conn].path, {make_address("10.0.0.1"), port}, {make_address("10.0.0.2"), 7000},
                             now_};
}

void World::execute(const paths::Decisions& decisions) {
  for (const auto& decision : decisions) {
    const auto* open = std::get_if<paths::OpenFlowpath>(&decision);
    if (!open) return fail("the path manager decided what no event here can cause");
    if (ep_[kClient]->finished) return;
    start_connection(false, *open);
  }
}

bool World::attach(std::size_t conn, int side, const Segment& s) {
  auto& c = conns_[conn];
  auto& end = *ep_[side];
  // The round trip as TCP knows it: from its handshake (TCP_INFO) on the
  // server, from SETUP to SETUP_ACK on the client.
  const Duration rtt = c.pipe[0].delay + c.pipe[1].delay;
  if (auto ec = end.session.add_path(c.path, s.ack, s.window, now_, rtt)) {
    fail(std::string(name(side)) + " add_path: " + ec.message());
    return false;
  }
  c.end[side].attached = true;
  end.current[c.path] = conn;
  trace(name(side), "add_path conn", conn, "path", to_int(c.path), "peer ack", s.ack, "state",
        static_cast<int>(end.session.state()));
  return true;
}

void World::close_socket(std::size_t conn, int side, Close how) {
  auto& c = conns_[conn];
  auto& sock = c.end[side];
  if (!sock.open) return;
  if (how == Close::graceful && !sock.write_shut) {
    Segment s;
    s.kind = SegmentKind::eof;
    send(conn, side, std::move(s));
    sock.write_shut = true;
  } else if (how == Close::abort) {
    Segment s;
    s.kind = SegmentKind::reset;
    send(conn, side, std::move(s));
  }
  sock.open = false;
  auto& e = *ep_[side];
  trace(name(side), "closes conn", conn, "path", to_int(c.path), "how", static_cast<int>(how));
  bool was_up = false;
  if (auto it = e.current.find(c.path); it != e.current.end() && it->second == conn) {
    e.current.erase(it);
    e.session.path_down(c.path, now_);
    was_up = true;
  }
  if (side != kClient) return;
  if (attempt_ == conn) attempt_.reset();
  // The client's transport tells its path manager, as Connection::close_path
  // and open_flowpath do: a flowpath lost, or an attempt that came to nothing.
  if (!e.paths) return;
  if (!was_up && !e.paths->remote()) {  // the first connect failed: the application tries again
    schedule(between(0ms, 200ms), EventKind::connect);
  } else if (auto it = ordered_.find(conn); it != ordered_.end()) {
    const auto attempt = it->second;
    ordered_.erase(it);
    execute(e.paths->attempt_failed(attempt, paths::AttemptStage::connect, now_));
  } else if (was_up && (e.session.done() || how == Close::graceful)) {
    e.paths->flowpath_closed(c.path);  // the end of the connection: nothing to mend
  } else if (was_up) {
    execute(e.paths->flowpath_down(c.path, MigrationCause::path_failure, now_));
  }
}

// The client opens a TCP connection and sends SETUP (NEW, ADD_PATH or
// MIGRATE: to the session they are all add_path with the peer's ack). Half
// the path manager's MIGRATEs take a fresh path id instead of the one it
// asks for: the protocol allows either (§3.3), and the session must too.
void World::start_connection(bool extra, const std::optional<paths::OpenFlowpath>& order) {
  auto& client = *ep_[kClient];
  PathId id{next_path_};
  if (order && !client.current.contains(order->path) && chance(0.5))
    id = order->path, ++outcome_.reused_ids;  // MIGRATE keeping the path id
  else
    ++next_path_;
  auto& c = conns_.emplace_back();
  const std::size_t conn = conns_.size() - 1;
  c.path = id;
  for (auto& pipe : c.pipe) {
    pipe.delay = between(200us, 40ms);
    pipe.bytes_per_second = static_cast<double>(log_uniform(1e6, 1e8));
  }
  attempt_ = conn;
  if (order) ordered_[conn] = order->attempt;
  ++outcome_.connections;
  if (extra) ++outcome_.extra_paths;
  trace("client connects conn", conn, "path", to_int(id), "delay", c.pipe[0].delay.count(), "/",
        c.pipe[1].delay.count());
  Segment s;
  s.kind = SegmentKind::setup;
  s.ack = client.session.recv_ack();
  s.window = client.session.recv_window();
  send(conn, kClient, std::move(s));
  schedule(order ? order->timeout : 1s, EventKind::handshake_timeout, kClient, conn);
}

void World::kill_random() {
  std::vector<std::size_t> alive;
  for (std::size_t i = 0; i < conns_.size(); ++i)
    if (!conns_[i].killed && (conns_[i].end[0].open || conns_[i].end[1].open)) alive.push_back(i);
  if (alive.empty()) return;
  const std::size_t conn = alive[uniform(0, alive.size() - 1)];
  auto& c = conns_[conn];
  c.killed = true;
  ++outcome_.kills;
  trace("kill conn", conn);
  for (auto& pipe : c.pipe) pipe.cut_after(uniform(0, pipe.in_flight()));
  // Each side may learn of it from an error, or only by keepalive timeout.
  for (int side : {kClient, kServer})
    if (chance(0.6)) schedule(between(0ms, 500ms), EventKind::notice, side, conn);
}

void World::pump(int side) {
  auto& e = *ep_[side];
  if (!failed_ && !e.finished) {
    for (auto id : e.session.take_dead_paths())
      if (auto it = e.current.find(id); it != e.current.end()) close_socket(it->second, side, Close::abort);
  }
  // The application reads and writes whenever it can, even after the end.
  if (!e.app.slow_reader)
    while (!failed_ && read_some(side, 64 * 1024) > 0) {
    }
  if (e.app.writing && e.session.writable() > 0) try_write(side);
  if (failed_ || e.finished) return;
  if (e.session.done()) return finish(side);
  if (e.session.state() == State::time_wait && !e.saw_time_wait) {
    e.saw_time_wait = true;
    if (outcome_.connections > 1) ++outcome_.closures_after_move;
    trace(name(side), "time_wait");
    if (!scenario_ && chance(0.2)) schedule(between(0ms, 20ms), EventKind::kill);  // closure mid-move
  }
  transmit(side);
}

void World::transmit(int side) {
  auto& e = *ep_[side];
  const std::vector<std::pair<PathId, std::size_t>> paths(e.current.begin(), e.current.end());
  for (const auto& [id, conn] : paths) {
    auto& sock = conns_[conn].end[side];
    if (!sock.open || !sock.attached || sock.write_shut) continue;
    Bytes out;
    for (int i = 0;; ++i) {
      if (i > 100000) return fail("poll_transmit never runs dry");
      // Scripted runs: the socket takes what its send buffer has room for;
      // when full, still a control frame (a PING, an ACK), never DATA.
      std::span<std::byte> room(scratch_);
      if (scenario_) {
        const std::uint64_t queued = sock.written + out.size() - sock.acked;
        const std::uint64_t limit = send_buffer_of(conns_[conn], side);
        const std::uint64_t free = queued + kSegment > limit ? 0 : limit - queued;
        room = room.first(std::max<std::uint64_t>(std::min<std::uint64_t>(room.size(), free), wire::kDataPrefixSize));
      }
      const auto n = e.session.poll_transmit(id, room, now_);
      if (n == 0) break;
      out.insert(out.end(), scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    if (!out.empty()) {
      send_bytes(conn, side, std::move(out));
    } else if (e.session.state() == State::time_wait) {
      // §3.4: our last ack is out; the TCP FIN tells the peer it may let go.
      trace(name(side), "shuts conn", conn);
      Segment s;
      s.kind = SegmentKind::eof;
      send(conn, side, std::move(s));
      sock.write_shut = true;
    }
  }
}

void World::finish(int side) {
  auto& e = *ep_[side];
  e.finished = true;
  trace(name(side), "finished, state", static_cast<int>(e.session.state()));
  const bool clean = e.session.state() == State::closed;
  if (!clean)
    fail(std::string(side == kClient ? "client" : "server") + " failed: " + e.session.error().message());
  const std::vector<std::pair<PathId, std::size_t>> paths(e.current.begin(), e.current.end());
  for (const auto& [id, conn] : paths) close_socket(conn, side, clean ? Close::graceful : Close::abort);
  if (side == kClient && attempt_) close_socket(*attempt_, kClient, Close::abort);
}

}  // namespace msocket::sim::detail
