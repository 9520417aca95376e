// The simulated world's event loop: setup from the seed, virtual time, and
// dispatch of events and timers. See sim_world.hpp.
#include "sim_world.hpp"

#include "sim_world_internal.hpp"

namespace msocket::sim {
namespace detail {

session::Config World::random_config() {
  session::Config c;
  c.recv_buffer = log_uniform(2048, 4 << 20);
  c.send_buffer = log_uniform(2048, 4 << 20);
  c.chunk_size = log_uniform(256, wire::kMaxPayload);
  c.linger = 1h;
  return c;
}

std::uint64_t World::random_total() {
  switch (uniform(0, 9)) {
    case 0: return 0;
    case 1: return uniform(1, 100);
    case 2: return uniform(1 << 20, 4 << 20);
    default: return log_uniform(1, 1 << 20);
  }
}

World::World(std::uint64_t seed, const Limits& limits) : seed_(seed), limits_(limits), rng_(seed) {
  ep_[kClient] = std::make_unique<Endpoint>(Role::client, random_config(), now_);
  ep_[kServer] = std::make_unique<Endpoint>(Role::server, random_config(), now_);
  for (int side : {kClient, kServer}) {
    auto& a = ep_[side]->app;
    a.out_key = rng_();
    a.out_total = random_total();
    a.slow_reader = chance(0.3);
  }
  for (int side : {kClient, kServer}) {
    auto& a = ep_[side]->app;
    const auto& peer = ep_[1 - side]->app;
    a.in_key = peer.out_key;
    a.in_total = peer.out_total;
    if (a.out_total == 0)
      schedule(between(0ms, 300ms), EventKind::app_shutdown, side);
    else
      schedule(between(0ms, 10ms), EventKind::app_write, side);
    if (a.slow_reader) schedule(between(1ms, 50ms), EventKind::app_read, side);
  }
  // Half the runs have transports that report TCP acks (path_delivered).
  tcp_feedback_ = chance(0.5);
  // The client's transport reconnects as its path manager decides, with the
  // defaults of transport::Options; no local address ever changes here.
  paths::PathManagerConfig reconnecting;
  reconnecting.timing = {25ms, 2s, 1s};
  ep_[kClient]->paths = std::make_unique<paths::PathManager>(reconnecting, std::vector<paths::LocalAddress>{});
  schedule(0ms, EventKind::connect);
  // Path deaths at random moments, early or late in the connection.
  const int kills = std::array{0, 0, 0, 0, 1, 1, 1, 2, 2, 5}[uniform(0, 9)];
  const Duration horizon = std::array<Duration, 4>{30ms, 300ms, 3s, 30s}[uniform(0, 3)];
  for (int i = 0; i < kills; ++i) schedule(between(0ms, horizon), EventKind::kill);
  if (chance(0.25)) {  // several flowpaths at once
    for (int i = 0, n = static_cast<int>(uniform(1, 3)); i < n; ++i)
      schedule(between(0ms, horizon), EventKind::extra_path);
  }
}

void World::fail(const std::string& what) {
  if (failed_) return;
  failed_ = true;
  std::ostringstream s;
  s << "seed " << seed_ << " at t=+"
    << std::chrono::duration_cast<std::chrono::microseconds>(now_ - start_).count() << "us: " << what;
  for (int side : {kClient, kServer}) {
    const auto& e = *ep_[side];
    s << "\n  " << name(side) << ": state " << static_cast<int>(e.session.state()) << ", wrote "
      << e.app.written << "/" << e.app.out_total << (e.session.write_closed() ? " +FIN" : "")
      << ", read " << e.app.received << "/" << e.app.in_total << ", recv_ack "
      << e.session.recv_ack() << ", readable " << e.session.readable() << ", live paths "
      << e.session.live_paths().size() << ", sockets " << e.current.size()
      << (e.finished ? ", finished" : "");
  }
  outcome_.failure = s.str();
}

bool World::all_done() const {
  for (const auto& e : ep_)
    if (!e->finished || !e->app.eof) return false;
  return true;
}

Outcome World::run() {
  std::uint64_t same_time = 0;
  while (!failed_ && !all_done()) {
    if (++outcome_.steps > limits_.max_steps) {
      fail("no convergence within the step limit");
      break;
    }
    if (now_ - start_ > limits_.max_virtual_time) {
      fail("no convergence within the virtual time limit");
      break;
    }
    TimePoint next = events_.empty() ? TimePoint::max() : events_.top().at;
    int timer = -1;
    constexpr int kPathTimer = 2;  // the client's path manager
    const auto& paths = ep_[kClient]->paths;
    if (paths && !ep_[kClient]->finished && paths->next_deadline() < next) {
      next = paths->next_deadline();
      timer = kPathTimer;
    }
    for (int side : {kClient, kServer}) {
      if (ep_[side]->finished) continue;
      const auto d = ep_[side]->session.next_deadline();
      if (d < next) {
        next = d;
        timer = side;
      }
    }
    if (next == TimePoint::max()) {
      fail("nothing left to happen, but not done");
      break;
    }
    if (next > now_) {
      now_ = next;
      same_time = 0;
    } else if (++same_time > 20000) {
      fail("no progress in time: a deadline that never clears");
      break;
    }
    if (timer == kPathTimer) {
      trace("client path manager timer");
      execute(paths->on_timer(now_));
    } else if (timer >= 0) {
      trace(name(timer), "timer");
      ep_[timer]->session.on_timer(now_);
    } else {
      const Event e = events_.top();
      events_.pop();
      handle(e);
    }
    pump(kClient);
    pump(kServer);
  }
  outcome_.ok = !failed_;
  outcome_.virtual_time = now_ - start_;
  outcome_.bytes_up = ep_[kServer]->app.received;
  outcome_.bytes_down = ep_[kClient]->app.received;
  return outcome_;
}

void World::handle(const Event& e) {
  auto& client = *ep_[kClient];
  if (e.kind != EventKind::arrival && e.kind != EventKind::app_read && e.kind != EventKind::app_write &&
      e.kind != EventKind::tcp_ack)
    trace("event", static_cast<int>(e.kind), name(e.side), "conn", e.conn);
  switch (e.kind) {
    case EventKind::arrival: on_arrival(e.conn, e.side); break;
    case EventKind::notice: close_socket(e.conn, e.side, Close::silent); break;
    case EventKind::app_write: app_write(e.side); break;
    case EventKind::app_read:
      if (ep_[e.side]->app.eof) break;
      read_some(e.side, log_uniform(1, 64 * 1024));
      if (!ep_[e.side]->app.eof) schedule(between(1ms, 50ms), EventKind::app_read, e.side);
      break;
    case EventKind::app_shutdown:
      ep_[e.side]->session.shutdown_write(now_);
      if (!scenario_ && chance(0.2)) schedule(between(0ms, 20ms), EventKind::kill);  // closure mid-move
      break;
    case EventKind::connect:
      if (!client.finished && !client.session.has_live_path() && !attempt_) start_connection(false);
      break;
    case EventKind::handshake_timeout: {
      const auto& s = conns_[e.conn].end[kClient];
      if (s.open && !s.attached) close_socket(e.conn, kClient, Close::abort);
      break;
    }
    case EventKind::kill: kill_random(); break;
    case EventKind::tcp_ack: on_tcp_ack(e); break;
    case EventKind::open_path: open_scripted_path(e.conn); break;
    case EventKind::path_event: on_path_event(scenario_->events[e.value]); break;
    case EventKind::extra_path:
      if (!client.finished && client.session.has_live_path() && !attempt_ &&
          client.current.size() < 3 && client.session.state() == State::established)
        start_connection(true);
      break;
  }
}


}  // namespace detail

Outcome simulate(std::uint64_t seed, const Limits& limits) {
  detail::World world(seed, limits);
  return world.run();
}

Outcome simulate(const Scenario& scenario) {
  detail::World world(scenario);
  auto outcome = world.run();
  outcome.server_paths = world.path_report(detail::kServer);
  return outcome;
}

}  // namespace msocket::sim
