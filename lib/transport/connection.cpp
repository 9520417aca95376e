// Connection: flowpath bookkeeping, the event pump (update) and the
// application's operations. Flowpath coroutines are in flowpath.cpp, client
// mobility in mobility.cpp.
#include "transport/connection.hpp"

#include <cstdio>

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "paths/address_watcher.hpp"
#include "paths/local_addresses.hpp"
#include "transport/flowpath.hpp"
#include "transport/handshake.hpp"
#include "transport/tcp_progress.hpp"

namespace msocket::transport {

const char* to_string(MigrationCause cause) {
  switch (cause) {
    case MigrationCause::client_move: return "client-move";
    case MigrationCause::server_move: return "server-move";
    case MigrationCause::simultaneous: return "simultaneous";
    case MigrationCause::path_failure: return "path-failure";
    case MigrationCause::application: return "application";
  }
  return "unknown";
}

std::string to_hex(ConnId id) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(to_int(id)));
  return text;
}

Connection::Connection(asio::any_io_executor ex, Role role, ConnId id,
                       const session::Secret& secret, const Options& options)
    : ex_(ex),
      role_(role),
      id_(id),
      secret_(secret),
      options_(options),
      session_(role, options.session, Clock::now()),
      timer_(ex),
      attempt_deadline_(ex),
      mobility_wake_(ex) {}

Connection::~Connection() = default;

void Connection::attach_path(PathId id, tcp::socket socket, std::uint64_t peer_ack,
                             std::uint64_t peer_window, PathPriority priority) {
  const auto now = Clock::now();
  if (auto old = flowpaths_.find(id); old != flowpaths_.end()) {
    old->second->close();
    flowpaths_.erase(old);
  }
  retire_path_stats(id);  // the session forgets the old socket's counts
  if (auto ec = session_.add_path(id, peer_ack, peer_window, now, std::nullopt, priority)) {
    log::transport()->warn("conn={} path={} refused: {}", to_hex(id_), to_int(id), ec.message());
    return;
  }
  tune_socket(socket, options_.session.keepalive_timeout);
  auto path = std::make_shared<Flowpath>(id, std::move(socket));
  // The client follows its interfaces (mobility.cpp): note each flowpath's.
  if (role_ == Role::client) {
    if (const auto local = paths::find_local_address(path->local.address())) path->ifindex = local->ifindex;
  }
  flowpaths_[id] = path;
  // The new flowpath may be the only one left that will ever write: our
  // addresses go again (a few dozen bytes), as they are now.
  refresh_advert();
  if (advert_) advert_pending_ = true;
  auto& history = path_history_[id];
  history.path = id;
  history.local = path->local_text;
  history.remote = to_string(path->remote);
  asio::co_spawn(ex_, run_reader(path), log_coroutine_exception);
  asio::co_spawn(ex_, run_writer(path), log_coroutine_exception);
  if (!timer_running_) {
    timer_running_ = true;
    asio::co_spawn(ex_, run_timer(), log_coroutine_exception);
  }
  if (pending_cause_) {
    Migration m;
    m.cause = *pending_cause_;
    if (peer_moved_) m.cause = self_moved_ ? MigrationCause::simultaneous : MigrationCause::server_move;
    m.path = id;
    m.recovery_ms = std::chrono::duration<double, std::milli>(now - *outage_since_).count();
    m.outage_ms = std::chrono::duration<double, std::milli>(now - *path_lost_at_).count();
    migrations_.push_back(m);
    pending_cause_.reset();
    self_moved_ = peer_moved_ = false;
    failed_attempts_ = 0;
    log::transport()->info("migrated conn={} path={} cause={} recovery_ms={:.1f} local={}",
                           to_hex(id_), to_int(id), to_string(m.cause), m.recovery_ms,
                           path->local_text);
  }
  update();
}

void Connection::close_path(PathId id, MigrationCause cause, const std::string& why) {
  auto it = flowpaths_.find(id);
  if (it == flowpaths_.end()) return;
  auto path = it->second;
  flowpaths_.erase(it);
  path->close();
  const auto now = Clock::now();
  session_.path_down(id, now);
  if (session_.done()) return;
  log::transport()->info("conn={} path={} down: {}", to_hex(id_), to_int(id), why);
  // Losing one of several flowpaths is no outage: the others carry on.
  if (role_ == Role::client && !pending_cause_ && !session_.has_live_path()) {
    pending_cause_ = cause;
    outage_since_ = now;
    path_lost_at_ = now;
  }
  if (cause == MigrationCause::client_move) self_moved_ = true;
  // The mobility loop starts reconnecting now; later events must not cut its
  // backoff short (address events do that on purpose, through retry_now_).
  if (role_ == Role::client && !session_.has_live_path()) mobility_wake_.cancel();
}

bool Connection::is_current(const std::shared_ptr<Flowpath>& path) const {
  auto it = flowpaths_.find(path->id);
  return it != flowpaths_.end() && it->second == path;
}

void Connection::update() {
  if (finished_) return;
  for (auto id : session_.take_dead_paths()) close_path(id, MigrationCause::path_failure, "keepalive timeout");
  complete_app_waiters();
  if (session_.done()) {
    finish();
    return;
  }
  for (auto& [id, path] : flowpaths_) path->wake.cancel();
  // Re-arm only when the deadline comes earlier: a timer that fires early
  // just looks again, which costs less than re-arming on every event. An
  // overdue ack or ping waits for a writer that is busy; don't spin on it.
  // TCP's progress on paths that hold unacked bytes is looked at on the
  // same timer (tcp_progress.hpp).
  const auto now = Clock::now();
  auto due = session_.next_deadline();
  for (const auto& [id, path] : flowpaths_) {
    if (awaits_tcp_progress(*path)) {
      due = std::min<TimePoint>(due, now + kTcpProgressInterval);
      break;
    }
  }
  const auto deadline = std::max(due, now + 5ms);
  if (deadline < timer_deadline_) {
    timer_deadline_ = deadline;
    timer_.expires_at(deadline);
  }
}

asio::awaitable<void> Connection::run_timer() {
  auto self = shared_from_this();
  while (!finished_) {
    auto [ec] = co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (finished_) break;
    if (ec) continue;  // re-armed by update()
    timer_deadline_ = TimePoint::max();
    const auto now = Clock::now();
    for (auto& [id, path] : flowpaths_)
      if (awaits_tcp_progress(*path)) report_tcp_progress(*path, now);
    session_.on_timer(now);
    update();
  }
}

void Connection::complete_app_waiters() {
  const auto now = Clock::now();
  const auto failure = [this] { return session_.error() ? session_.error() : error_code(errc::connection_closed); };
  if (pending_read_) {
    error_code ec;
    std::size_t n = session_.read(pending_read_->buffer, now);
    if (n == 0 && session_.read_eof()) ec = asio::error::eof;
    else if (n == 0 && session_.state() == session::State::failed) ec = failure();
    if (n > 0 || ec) {
      auto handler = std::move(pending_read_->handler);
      pending_read_.reset();
      asio::get_associated_cancellation_slot(handler).clear();
      asio::post(ex_, asio::append(std::move(handler), ec, n));
    }
  }
  if (pending_write_) {
    error_code ec;
    std::size_t n = session_.write(pending_write_->buffer, now);
    if (n == 0 && session_.write_closed()) ec = asio::error::broken_pipe;
    else if (n == 0 && session_.done()) ec = failure();
    if (n > 0 || ec) {
      auto handler = std::move(pending_write_->handler);
      pending_write_.reset();
      asio::get_associated_cancellation_slot(handler).clear();
      asio::post(ex_, asio::append(std::move(handler), ec, n));
    }
  }
  if (session_.done()) {
    const error_code ec = session_.state() == session::State::closed ? error_code{} : failure();
    for (auto& handler : closed_waiters_) {
      asio::get_associated_cancellation_slot(handler).clear();
      asio::post(ex_, asio::append(std::move(handler), ec));
    }
    closed_waiters_.clear();
  }
}

void Connection::finish() {
  if (finished_) return;
  finished_ = true;
  // A local abort leaves a RESET to send: one best-effort write per path.
  for (auto& [id, path] : flowpaths_) {
    std::array<std::byte, 64> buffer;
    if (auto n = session_.poll_transmit(id, buffer, Clock::now())) {
      error_code ignored;
      path->socket.non_blocking(true, ignored);
      path->socket.write_some(asio::buffer(buffer.data(), n), ignored);
    }
    if (session_.state() == session::State::closed)
      path->close_gracefully();
    else
      path->close();
  }
  flowpaths_.clear();
  timer_.cancel();
  mobility_wake_.cancel();
  attempt_deadline_.cancel();
  if (watcher_) watcher_->stop();
  if (locator_) locator_->stop();
  if (control_) {
    error_code ignored;
    control_->close(ignored);
  }
  if (session_.state() == session::State::closed)
    log::transport()->info("conn={} closed", to_hex(id_));
  else if (session_.error() == errc::connection_closed)  // we aborted it ourselves
    log::transport()->info("conn={} aborted", to_hex(id_));
  else
    log::transport()->warn("conn={} failed: {}", to_hex(id_), session_.error().message());
  complete_app_waiters();
  if (finished_cb_) std::exchange(finished_cb_, nullptr)(*this);
}

// Lets `||` on awaitables and asio::cancel_after-style callers cancel a wait.
template <class Handler>
void Connection::watch_cancellation(Handler& handler, void (Connection::*cancel)()) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  if (!slot.is_connected()) return;
  std::weak_ptr<Connection> weak = shared_from_this();
  slot.assign([weak, cancel](asio::cancellation_type) {
    if (auto self = weak.lock()) ((*self).*cancel)();
  });
}

void Connection::cancel_read() {
  if (!pending_read_) return;
  auto handler = std::move(pending_read_->handler);
  pending_read_.reset();
  asio::get_associated_cancellation_slot(handler).clear();
  asio::post(ex_, asio::append(std::move(handler), error_code(asio::error::operation_aborted), std::size_t{0}));
}

void Connection::cancel_write() {
  if (!pending_write_) return;
  auto handler = std::move(pending_write_->handler);
  pending_write_.reset();
  asio::get_associated_cancellation_slot(handler).clear();
  asio::post(ex_, asio::append(std::move(handler), error_code(asio::error::operation_aborted), std::size_t{0}));
}

void Connection::cancel_wait_closed() {
  for (auto& handler : closed_waiters_) {
    asio::get_associated_cancellation_slot(handler).clear();
    asio::post(ex_, asio::append(std::move(handler), error_code(asio::error::operation_aborted)));
  }
  closed_waiters_.clear();
}

void Connection::async_read_some(std::span<std::byte> buffer, ReadHandler handler) {
  if (pending_read_) {
    asio::post(ex_, asio::append(std::move(handler), asio::error::in_progress, std::size_t{0}));
    return;
  }
  watch_cancellation(handler, &Connection::cancel_read);
  pending_read_ = PendingRead{buffer, std::move(handler)};
  if (buffer.empty()) {
    auto h = std::move(pending_read_->handler);
    pending_read_.reset();
    asio::post(ex_, asio::append(std::move(h), error_code{}, std::size_t{0}));
    return;
  }
  update();
  if (finished_) complete_app_waiters();
}

void Connection::async_write_some(std::span<const std::byte> buffer, ReadHandler handler) {
  if (pending_write_) {
    asio::post(ex_, asio::append(std::move(handler), asio::error::in_progress, std::size_t{0}));
    return;
  }
  if (buffer.empty()) {  // nothing to wait for room for
    asio::post(ex_, asio::append(std::move(handler), error_code{}, std::size_t{0}));
    return;
  }
  watch_cancellation(handler, &Connection::cancel_write);
  pending_write_ = PendingWrite{buffer, std::move(handler)};
  update();
  if (finished_) complete_app_waiters();
}

void Connection::async_wait_closed(WaitHandler handler) {
  watch_cancellation(handler, &Connection::cancel_wait_closed);
  closed_waiters_.push_back(std::move(handler));
  if (finished_) complete_app_waiters();
}

void Connection::shutdown_write() {
  session_.shutdown_write(Clock::now());
  update();
}

void Connection::abort() {
  session_.abort();
  update();
}

Stats Connection::stats() const {
  Stats s;
  s.bytes_sent = session_.counters().bytes_written;
  s.bytes_received = session_.counters().bytes_read;
  s.flowpaths_opened = session_.counters().paths_opened;
  s.migrations = migrations_;
  for (const auto& [id, state] : session_.paths()) {
    PathStats p;
    if (auto h = path_history_.find(id); h != path_history_.end()) p = h->second;
    p.path = id;
    p.bytes_sent += state.bytes_sent;
    p.bytes_received += state.bytes_received;
    if (state.srtt) p.rtt_ms = std::chrono::duration<double, std::milli>(*state.srtt).count();
    p.live = state.live;
    s.paths.push_back(std::move(p));
  }
  return s;
}

bool Connection::drop_paths_on(const asio::ip::address& local) {
  std::vector<PathId> lost;
  for (auto& [id, path] : flowpaths_)
    if (path->local.address() == local) lost.push_back(id);
  for (auto id : lost)
    close_path(id, MigrationCause::server_move, "local address " + local.to_string() + " removed");
  if (!lost.empty()) update();
  return !lost.empty();
}

std::optional<tcp::endpoint> Connection::local_endpoint() const {
  for (const auto& [id, path] : flowpaths_) return path->local;
  return std::nullopt;
}

std::optional<tcp::endpoint> Connection::remote_endpoint() const {
  for (const auto& [id, path] : flowpaths_) return path->remote;
  return remote_;
}

}  // namespace msocket::transport
