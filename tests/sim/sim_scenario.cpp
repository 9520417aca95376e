// Scripted runs of the session simulator (sim_world.hpp, Scenario): fixed
// paths with their own rate and delay, one bulk download from the server,
// path failures and stalls at given moments. The rest of the world (the
// transports, the applications' checks, closure) is the random runs' own.
#include "sim_world_internal.hpp"

namespace msocket::sim::detail {

World::World(const Scenario& scenario)
    : seed_(0), limits_(scenario.limits), rng_(0), scenario_(&scenario) {
  ep_[kClient] = std::make_unique<Endpoint>(Role::client, scenario.config, now_);
  ep_[kServer] = std::make_unique<Endpoint>(Role::server, scenario.config, now_);
  tcp_feedback_ = scenario.tcp_feedback;
  auto& server = ep_[kServer]->app;
  auto& client = ep_[kClient]->app;
  server.out_key = rng_();
  server.out_total = scenario.bytes;
  server.bulk = true;
  client.in_key = server.out_key;
  client.in_total = server.out_total;
  schedule(scenario.write_at, EventKind::app_write, kServer);
  schedule(0ms, EventKind::app_shutdown, kClient);  // nothing to say: half-closed at once
  // No reconnection: a scripted run keeps the paths it opened (no path manager).
  scripted_.resize(scenario.paths.size());
  for (std::size_t i = 0; i < scenario.paths.size(); ++i) schedule(0ms, EventKind::open_path, kClient, i);
  for (std::size_t i = 0; i < scenario.events.size(); ++i)
    events_.push(Event{now_ + scenario.events[i].at, seq_++, EventKind::path_event, kClient, 0, i});
}

void World::open_scripted_path(std::size_t index) {
  const auto& spec = scenario_->paths[index];
  auto& c = conns_.emplace_back();
  const std::size_t conn = conns_.size() - 1;
  scripted_[index] = conn;
  c.path = PathId{static_cast<std::uint32_t>(index)};
  for (auto& pipe : c.pipe) {
    pipe.delay = spec.rtt / 2;
    pipe.bytes_per_second = spec.mbit_per_second * 1e6 / 8;
  }
  ++outcome_.connections;
  trace("client connects conn", conn, "path", index);
  Segment s;
  s.kind = SegmentKind::setup;
  s.ack = ep_[kClient]->session.recv_ack();
  s.window = ep_[kClient]->session.recv_window();
  send(conn, kClient, std::move(s));
}

void World::on_path_event(const PathEvent& event) {
  const std::size_t conn = scripted_.at(event.path);
  auto& c = conns_[conn];
  if (event.kind == PathEvent::Kind::stall) {
    trace("stall conn", conn);
    for (auto& pipe : c.pipe) pipe.stalled_since = now_;
    return;
  }
  // A failure: what is on the way is lost, and both ends hear of it at once
  // (a socket error), so each one's session gets path_down.
  trace("fail conn", conn);
  c.killed = true;
  ++outcome_.kills;
  for (auto& pipe : c.pipe) pipe.cut_after(0);
  for (int side : {kClient, kServer}) close_socket(conn, side, Close::silent);
}

}  // namespace msocket::sim::detail
