// Connection: flowpath bookkeeping, the event pump (update), the timer, the
// end of the connection and its statistics. Flowpath coroutines are in
// flowpath.cpp, the path manager's orders in path_orders.cpp, news from the
// peer (RECONNECT, ADDRESSES) in peer_news.cpp.
#include "transport/connection.hpp"

#include <cstdio>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "paths/shared_address_watcher.hpp"
#include "paths/local_addresses.hpp"
#include "transport/flowpath.hpp"
#include "transport/handshake.hpp"
#include "transport/heap_trim.hpp"
#include "transport/tcp_progress.hpp"

namespace msocket::transport {

std::string to_hex(ConnId id) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(to_int(id)));
  return text;
}

namespace {
paths::PathManagerConfig path_config(Role role, const Options& options) {
  paths::PathManagerConfig config;
  config.role = role;
  config.timing = {options.retry_min, options.retry_max, options.connect_timeout};
  config.source = options.source;
  for (std::size_t i = 0; i < options.extra_sources.size(); ++i)
    config.policy.extra_sources.push_back(options.extra_sources[i]);
  config.policy.all_addresses = options.all_paths;
  config.policy.prefer_interface = options.prefer_interface.str();
  return config;
}
}  // namespace

Connection::Connection(asio::any_io_executor ex, Role role, ConnId id, const session::Secret& secret,
                       std::uint8_t cipher, const Options& options)
    : ex_(ex),
      role_(role),
      id_(id),
      auth_(secret),
      cipher_(cipher),
      confirmed_(role == Role::client),
      confirm_by_(Clock::now() + options.handshake_timeout),
      options_(options),
      session_(role, options.session, Clock::now()),
      paths_(path_config(role, options), paths::list_local_addresses()),
      app_(std::make_shared<AppOperations>(ex)) {}

Connection::~Connection() {
  cancel_timer();
  if (control_) control_->close();
}

void Connection::attach_path(PathId id, tcp::socket socket, std::uint64_t counter, std::uint64_t peer_ack,
                             std::uint64_t peer_window, PathPriority priority,
                             std::optional<paths::AttemptId> attempt) {
  const auto now = Clock::now();
  if (auto old = flowpaths_.find(id); old != flowpaths_.end()) {
    old->second->close();
    flowpaths_.erase(old);
  }
  tune_socket(socket, options_.session.keepalive_timeout);
  auto path = std::make_shared<Flowpath>(id, std::move(socket));
  if (cipher_ != wire::kCipherNone) {
    auto keys = session::derive_flowpath_keys(auth_.secret(), role_, counter, to_int(id));
    path->sealer = std::make_unique<session::RecordCipher>(cipher_, keys.send);
    path->opener = std::make_unique<session::RecordCipher>(cipher_, keys.receive);
  }
  path->confirm_due = role_ == Role::client && counter == 0;
  history_.replaced(id, session_, path->local_text, to_string(path->remote));  // before the session forgets it
  if (auto ec = session_.add_path(id, peer_ack, peer_window, now, std::nullopt, priority)) {
    log::transport()->warn("conn={} path={} refused: {}", to_hex(id_), to_int(id), ec.message());
    return;
  }
  flowpaths_[id] = path;
  refused_since_.reset();
  asio::co_spawn(ex_, run_reader(path), log_coroutine_exception);
  asio::co_spawn(ex_, run_writer(path), log_coroutine_exception);
  const auto migrated = paths_.migrations().size();
  execute(paths_.flowpath_up(paths::FlowpathInfo{id, path->local, path->remote, path->opened}, attempt, now));
  if (paths_.migrations().size() > migrated) {
    const auto& m = paths_.migrations().back();
    log::transport()->info("migrated conn={} path={} cause={} recovery_ms={:.1f} local={}", to_hex(id_),
                           to_int(id), to_string(m.cause), std::chrono::duration<double, std::milli>(m.recovery).count(),
                           path->local_text);
  }
  update();
}

void Connection::close_socket(PathId id, const std::string& why) {
  auto it = flowpaths_.find(id);
  if (it == flowpaths_.end()) return;
  auto path = it->second;
  flowpaths_.erase(it);
  path->close();
  session_.path_down(id, Clock::now());
  if (!session_.done()) log::transport()->info("conn={} path={} down: {}", to_hex(id_), to_int(id), why);
}

void Connection::close_path(PathId id, MigrationCause cause, const std::string& why) {
  if (!flowpaths_.count(id)) return;
  close_socket(id, why);
  if (!confirmed_) {
    // §3.1: a client that never showed it holds the keys has no claim on
    // the server's memory past its first flowpath (a flood of NEWs).
    session_.abort();
    paths_.flowpath_closed(id);
    return;
  }
  if (session_.done()) {
    paths_.flowpath_closed(id);  // nothing to mend: the connection is over
    return;
  }
  execute(paths_.flowpath_down(id, cause, Clock::now()));
}

void Connection::confirm() {
  if (confirmed_) return;
  confirmed_ = true;
  if (confirmed_cb_) std::exchange(confirmed_cb_, nullptr)(*this);
}

bool Connection::is_current(const std::shared_ptr<Flowpath>& path) const {
  auto it = flowpaths_.find(path->id);
  return it != flowpaths_.end() && it->second == path;
}

void Connection::update() {
  if (finished_) return;
  for (auto id : session_.take_dead_paths()) close_path(id, MigrationCause::path_failure, "keepalive timeout");
  if (finished_) return;
  app_->complete(session_, Clock::now());
  if (session_.done()) {
    finish();
    return;
  }
  if (session_.write_closed() && session_.read_eof()) paths_.stream_closing();
  for (auto& [id, path] : flowpaths_) path->wake.cancel();
  // Re-arm only when the deadline comes earlier: a timer that fires early
  // just looks again, which costs less than re-arming on every event. An
  // overdue ack or ping waits for a writer that is busy; don't spin on it.
  // TCP's progress on paths that hold unacked bytes is looked at on the
  // same timer, as often as it may matter (tcp_progress.hpp).
  const auto now = Clock::now();
  auto due = std::min(session_.next_deadline(), paths_.next_deadline());
  if (!confirmed_) due = std::min(due, confirm_by_);
  const bool awaits_room = session_.awaits_room();
  for (const auto& [id, path] : flowpaths_)
    if (awaits_tcp_progress(*path))
      due = std::min<TimePoint>(due, now + tcp_progress_interval(awaits_room, path->reported_srtt_us));
  if (due == TimePoint::max()) return;
  const auto deadline = std::max(due, now + 5ms);
  if (deadline < timer_deadline_) {
    // The entry owns the connection until it fires or is cancelled, as a
    // waiting timer coroutine would: a connection between flowpaths, whose
    // application let go of it, still lingers and reconnects.
    auto self = shared_from_this();
    cancel_timer();
    timer_deadline_ = deadline;
    timer_key_ = ConnectionTimers::of(ex_).schedule(ex_, deadline, [self] {
      asio::dispatch(self->ex_, [self] { self->on_timer_due(); });
    });
  }
}

void Connection::cancel_timer() {
  timer_deadline_ = TimePoint::max();
  if (const auto key = std::exchange(timer_key_, std::nullopt)) ConnectionTimers::of(ex_).cancel(*key);
}

void Connection::on_timer_due() {
  timer_key_.reset();
  timer_deadline_ = TimePoint::max();
  if (finished_) return;
  const auto now = Clock::now();
  for (auto& [id, path] : flowpaths_)
    if (awaits_tcp_progress(*path)) report_tcp_progress(*path, now);
  const auto buffered = session_.buffered_bytes();
  session_.on_timer(now);
  if (session_.buffered_bytes() < buffered) trim_heap_soon(ex_);  // an idle connection gave its buffers back
  if (!confirmed_ && now >= confirm_by_) {
    log::transport()->info("conn={} dropped: the client sent nothing after the handshake", to_hex(id_));
    session_.abort();
  }
  execute(paths_.on_timer(now));
  update();
}

void Connection::finish() {
  if (finished_) return;
  finished_ = true;
  // A local abort leaves a RESET to send: one best-effort write per path.
  for (auto& [id, path] : flowpaths_) {
    std::array<std::byte, 512> buffer;
    const auto n = path->sealer ? fill_records(*path, buffer, Clock::now()) : fill_frames(*path, buffer, Clock::now());
    if (n > 0) {
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
  cancel_timer();
  for (auto& [id, deadline] : attempts_) deadline->expires_at(asio::steady_timer::time_point::min());  // see execute(AbandonAttempt)
  watch_.reset();
  if (locator_) locator_->stop();
  if (control_) control_->close();
  if (session_.state() == session::State::closed)
    log::transport()->info("conn={} closed", to_hex(id_));
  else if (session_.error() == errc::connection_closed)  // we aborted it ourselves
    log::transport()->info("conn={} aborted", to_hex(id_));
  else
    log::transport()->warn("conn={} failed: {}", to_hex(id_), session_.error().message());
  app_->complete(session_, Clock::now());
  if (finished_cb_) std::exchange(finished_cb_, nullptr)(*this);
}

void Connection::async_read_some(std::span<std::byte> buffer, AppOperations::Handler handler) {
  if (app_->add_read(buffer, std::move(handler))) offer_to_app();
}

void Connection::async_write_some(std::span<const std::byte> buffer, AppOperations::Handler handler) {
  if (app_->add_write(buffer, std::move(handler))) offer_to_app();
}

void Connection::async_read_some(AppOperations::Sink sink, AppOperations::Handler handler) {
  if (app_->add_read(std::move(sink), std::move(handler))) offer_to_app();
}

void Connection::async_write_some(AppOperations::Source source, AppOperations::Handler handler) {
  if (app_->add_write(std::move(source), std::move(handler))) offer_to_app();
}

// A new application operation: complete it if the session allows, and act
// on what it changed (bytes to send, a window to advertise).
void Connection::offer_to_app() {
  update();
  if (finished_) app_->complete(session_, Clock::now());
}

void Connection::async_wait_closed(AppOperations::WaitHandler handler) {
  app_->add_wait(std::move(handler));
  if (finished_) app_->complete(session_, Clock::now());
}

void Connection::shutdown_write() {
  session_.shutdown_write(Clock::now());
  update();
}

void Connection::abort() {
  session_.abort();
  update();
}

Stats Connection::stats() const { return history_.stats(session_, paths_.migrations()); }

std::optional<tcp::endpoint> Connection::local_endpoint() const {
  for (const auto& [id, path] : flowpaths_) return path->local;
  return std::nullopt;
}

std::optional<tcp::endpoint> Connection::remote_endpoint() const {
  for (const auto& [id, path] : flowpaths_) return path->remote;
  return paths_.remote();
}

}  // namespace msocket::transport
