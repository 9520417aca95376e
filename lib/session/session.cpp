// Session: paths, application side, state and timers. Frame handling is in
// session_recv.cpp, output in session_send.cpp.
#include "session/session.hpp"

#include <algorithm>

#include <boost/assert.hpp>

#include "core/log.hpp"

namespace msocket::session {

namespace {

// A connection whose stream has been quiet this long gives its empty
// buffers back (on_timer, which a live path's keepalive calls every
// keepalive_interval). Not at once: a busy transfer empties them between
// bursts, and growing them again from nothing costs page faults and copies.
constexpr Duration kFreeBuffersAfter = std::chrono::seconds(1);

std::unique_ptr<sched::Scheduler> make_scheduler(const Config& config) {
  sched::Config c;
  c.chunk_size = config.chunk_size;
  auto scheduler = sched::make_scheduler(to_string(config.scheduler), std::move(c));
  BOOST_ASSERT(scheduler.has_value());  // every SchedulerPolicy is registered
  return std::move(scheduler.value());
}

}  // namespace

Session::Session(Role role, const Config& config, TimePoint now)
    : role_(role),
      config_(config),
      send_ring_(config.send_buffer),
      scheduler_(make_scheduler(config)),
      last_now_(now),
      last_stream_activity_(now),
      recv_(config.recv_buffer),
      no_path_since_(now) {
  window_sent_ = recv_.window();
}

boost::system::error_code Session::add_path(PathId id, std::uint64_t peer_ack,
                                            std::uint64_t peer_window, TimePoint now,
                                            std::optional<Duration> handshake_rtt, PathPriority priority) {
  if (done()) return errc::connection_closed;
  last_now_ = now;
  if (auto it = paths_.find(id); it != paths_.end() && it->second.live) path_down(id, now);
  if (auto ec = on_ack(peer_ack, peer_window)) return ec;
  PathState path;
  path.opened = now;
  path.last_recv = now;
  path.last_ping = now;
  path.srtt = handshake_rtt;
  paths_[id] = std::move(path);
  forget_old_paths();
  scheduler_->path_up(id, handshake_rtt, priority);
  ++counters_.paths_opened;
  no_path_since_.reset();
  // §3.3: the peer's ack in SETUP may be the last thing closure waited for.
  after_progress(now);
  return {};
}

// A peer that opens flowpaths under ever new ids must not grow the session
// without bound: only the newest dead paths are kept (for --stats).
void Session::forget_old_paths() {
  constexpr std::size_t kDeadPathsKept = 16;
  std::size_t dead = 0;
  for (const auto& [id, path] : paths_) dead += path.live ? 0 : 1;
  while (dead-- > kDeadPathsKept) {
    auto oldest = paths_.end();
    for (auto it = paths_.begin(); it != paths_.end(); ++it)
      if (!it->second.live && (oldest == paths_.end() || it->second.opened < oldest->second.opened)) oldest = it;
    paths_.erase(oldest);
  }
}

void Session::path_down(PathId id, TimePoint now) {
  auto it = paths_.find(id);
  if (it == paths_.end() || !it->second.live) return;
  auto& path = it->second;
  path.live = false;
  path.ping_token.reset();
  path.pongs_due.clear();
  last_now_ = std::max(last_now_, now);
  // We cannot know what the dead path delivered (its TCP acks say what the
  // peer's kernel got, not what the peer's session read): everything it
  // carried that is not acked goes out again, once, on other paths (the
  // peer's ack at the next SETUP trims it). The scheduler keeps that set.
  const auto unacked = path.in_flight.to_vector();
  std::vector<sched::ByteRange> unsure;
  for (const auto& r : unacked) unsure.push_back({r.begin, r.end});
  scheduler_->path_down(id, unsure);
  path.in_flight.clear();
  path.owed.clear();
  path.unconfirmed.clear();
  if (fin_path_ == id) fin_path_.reset();  // the FIN goes out again unless acked
  release_sent();
  // Likewise for our last ack and window: if they went out on this path the
  // peer may never see them, and a sender waiting for the window would wait
  // forever. Forget them so the next poll on any path says them again.
  ack_sent_ = 0;
  window_sent_ = 0;
  if (!has_live_path()) no_path_since_ = now;
}

void Session::path_eof(PathId id, TimePoint now) {
  // §3.4: in time_wait the peer closes its flowpaths only after it has our
  // final ack, so a clean EOF completes the closure.
  if (state_ == State::time_wait) {
    state_ = State::closed;
    path_down(id, now);
    return;
  }
  path_down(id, now);
}

bool Session::has_live_path() const {
  return std::any_of(paths_.begin(), paths_.end(), [](const auto& p) { return p.second.live; });
}

std::vector<PathId> Session::live_paths() const {
  std::vector<PathId> ids;
  for (const auto& [id, path] : paths_)
    if (path.live) ids.push_back(id);
  return ids;
}

std::vector<PathId> Session::take_dead_paths() { return std::exchange(dead_paths_, {}); }

std::size_t Session::write(std::span<const std::byte> bytes, TimePoint now) {
  const std::size_t n = std::min(bytes.size(), writable());
  if (n == 0) return 0;
  send_ring_.write_at(write_end_, bytes.first(n));
  commit_write(n, now);
  return n;
}

std::span<std::byte> Session::write_space(std::size_t max) {
  return send_ring_.writable_span(write_end_, std::min(max, writable()));
}

void Session::commit_write(std::size_t n, TimePoint now) {
  BOOST_ASSERT(n <= writable());
  if (n == 0) return;
  last_now_ = std::max(last_now_, now);
  last_stream_activity_ = last_now_;
  write_end_ += n;
  send_ring_.wrote_until(write_end_);
  scheduler_->on_write(write_end_);
  counters_.bytes_written += n;
}

std::size_t Session::writable() const {
  if (done() || fin_offset_) return 0;
  // The ring may still hold acked bytes owed to a path (release_sent).
  const std::uint64_t buffered = write_end_ - send_ring_.base();
  return config_.send_buffer - buffered;
}

std::size_t Session::read(std::span<std::byte> out, TimePoint now) {
  const std::size_t n = recv_.read(out);
  counters_.bytes_read += n;
  if (n > 0) last_stream_activity_ = std::max(last_stream_activity_, now);
  if (n > 0 && !ack_pending_since_) ack_pending_since_ = now;  // the window moved
  return n;
}

void Session::consume(std::size_t n, TimePoint now) {
  n = std::min(n, recv_.readable());
  recv_.consume(n);
  counters_.bytes_read += n;
  if (n > 0) last_stream_activity_ = std::max(last_stream_activity_, now);
  if (n > 0 && !ack_pending_since_) ack_pending_since_ = now;  // the window moved
}

void Session::shutdown_write(TimePoint now) {
  if (fin_offset_ || done()) return;
  fin_offset_ = write_end_;
  after_progress(now);
}

void Session::abort() {
  if (done()) return;
  reset_pending_ = has_live_path();
  fail(errc::connection_closed);
}

void Session::peer_closed(TimePoint now) {
  // The peer answered a SETUP with `closed` (or forgot us) after a move. That
  // is a clean end only if both FINs crossed: the peer frees its state once
  // it holds our FIN and has ours acked its own.
  if (fin_offset_ && send_next_ > *fin_offset_ && recv_.fin_received()) {
    state_ = State::closed;
    (void)now;
    return;
  }
  fail(errc::unknown_connection);
}

void Session::fail(errc e) {
  if (done()) return;
  state_ = State::failed;
  error_ = e;
  log::session()->info("session failed: {}", error_.message());
}

void Session::after_progress(TimePoint now) {
  if (state_ != State::established) return;
  const bool our_fin_acked = fin_offset_ && peer_ack_ > *fin_offset_;
  if (our_fin_acked && recv_.fin_received()) {
    state_ = State::time_wait;
    time_wait_since_ = now;
  }
}

Duration Session::linger() const {
  const bool carried = send_next_ > 0 || recv_.ack() > 0;
  if (role_ == Role::server && !carried) return std::min(config_.linger, config_.linger_unused);
  return config_.linger;
}

TimePoint Session::next_deadline() const {
  if (done()) return TimePoint::max();
  TimePoint t = TimePoint::max();
  if (time_wait_since_) t = std::min(t, *time_wait_since_ + config_.time_wait);
  if (no_path_since_) t = std::min(t, *no_path_since_ + linger());
  // Ack, ping and scheduler deadlines only matter while a path can carry
  // them; otherwise a deadline in the past would spin the timer.
  bool any_live = false;
  for (const auto& [id, path] : paths_) {
    if (!path.live) continue;
    any_live = true;
    t = std::min(t, path.last_recv + config_.keepalive_timeout);
    if (state_ == State::established) t = std::min(t, path.last_ping + config_.keepalive_interval);
  }
  // In time_wait every ack that matters (the one for the peer's FIN) is due at
  // once, and the transport half-closes paths that have nothing to send
  // (§3.4): a delayed-ack deadline there could never be served.
  if (any_live && ack_pending_since_ && state_ == State::established)
    t = std::min(t, *ack_pending_since_ + config_.ack_delay);
  if (any_live && ack_held_since_ && state_ == State::established)
    t = std::min(t, *ack_held_since_ + config_.ack_delay);
  // A path holding bytes goes silent: the scheduler may move them (§3.2).
  if (any_live && data_outstanding()) t = std::min(t, scheduler_->next_deadline(last_now_));
  return t;
}

void Session::on_timer(TimePoint now) {
  if (done()) return;
  last_now_ = std::max(last_now_, now);
  if (time_wait_since_ && now >= *time_wait_since_ + config_.time_wait) {
    state_ = State::closed;  // all data crossed both ways; only a confirmation is missing
    return;
  }
  if (no_path_since_ && now >= *no_path_since_ + linger()) {
    fail(errc::linger_expired);
    return;
  }
  for (auto& [id, path] : paths_) {
    if (path.live && now >= path.last_recv + config_.keepalive_timeout) {
      log::session()->warn("path={} keepalive timeout", to_int(id));
      dead_paths_.push_back(id);
    }
  }
  for (auto id : dead_paths_) path_down(id, now);
  if (now - last_stream_activity_ >= kFreeBuffersAfter) {
    send_ring_.free_if_empty();  // empty once the peer has acked everything
    recv_.free_if_empty();
  }
}

}  // namespace msocket::session
