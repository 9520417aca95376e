// Client-side mobility (paper §III-B3, client half): follow local addresses
// and links, and when no flowpath is left, reconnect from whatever address
// works now to wherever the peer is now and MIGRATE, with backoff up to the
// retry interval (the paper's rho), until the linger time runs out. How we
// learn where the peer is (RECONNECT, its name) is in peer_moves.cpp.
#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "paths/address_watcher.hpp"
#include "paths/local_addresses.hpp"
#include "transport/connection.hpp"
#include "transport/flowpath.hpp"
#include "transport/handshake.hpp"

namespace msocket::transport {

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace

void Connection::start_mobility() {
  if (mobility_started_ || role_ != Role::client) return;
  mobility_started_ = true;
  advertise_addresses(0);  // where we are; we accept no flowpaths
  if (options_.follow_addresses) {
    watcher_ = std::make_unique<paths::AddressWatcher>(ex_);
    std::weak_ptr<Connection> weak = shared_from_this();
    auto ec = watcher_->start([weak](const paths::AddressEvent& event) {
      if (auto self = weak.lock()) self->on_address_event(event);
    });
    if (ec) {
      log::paths()->warn("cannot follow local addresses ({}); moves are noticed by keepalive only",
                         ec.message());
      watcher_.reset();
    }
  }
  asio::co_spawn(ex_, run_mobility(), log_coroutine_exception);
  open_extra_paths();
}

void Connection::migrate() {
  std::vector<PathId> ids;
  for (auto& [id, path] : flowpaths_) ids.push_back(id);
  for (auto id : ids) close_path(id, MigrationCause::application, "migration asked by the application");
  update();
}

void Connection::on_address_event(const paths::AddressEvent& event) {
  if (finished_) return;
  using Kind = paths::AddressEventKind;
  std::vector<PathId> lost;
  for (auto& [id, path] : flowpaths_) {
    const bool address_gone = event.kind == Kind::address_removed && path->local.address() == event.address;
    const bool link_gone = event.kind == Kind::link_down && path->ifindex != 0 && path->ifindex == event.ifindex;
    if (address_gone || link_gone) lost.push_back(id);
  }
  for (auto id : lost) {
    close_path(id, MigrationCause::client_move,
               event.kind == Kind::address_removed ? "local address " + event.address.to_string() + " removed"
                                                   : "link " + event.ifname + " down");
  }
  // Multipath: the peer cannot hear that these flowpaths died (their address
  // is gone) and would keep their bytes until its keepalive gives up. A new
  // flowpath with the same id, from an address that works, replaces each at
  // the peer at once, and what it held is sent again (docs/protocol.md §3.3).
  if (!lost.empty() && session_.has_live_path() && !session_.done() && !flowpaths_.empty()) {
    const auto other = flowpaths_.begin()->second->local.address();
    for (auto id : lost) asio::co_spawn(ex_, add_path_from(other, id), log_coroutine_exception);
  }
  if (locator_ && (!lost.empty() || event.kind == Kind::address_added)) locator_->network_changed();
  if (event.kind == Kind::address_added || event.kind == Kind::address_removed) refresh_advert();
  // Multipath: a returning or new address gets its flowpath (again), once
  // the connection has one to build on.
  if (event.kind == Kind::address_added && session_.has_live_path()) consider_extra_path(event.address);
  if (event.kind == Kind::route_added && session_.has_live_path()) retry_extra_paths_now();
  const bool new_network = event.kind == Kind::address_added || event.kind == Kind::link_up;
  const bool new_route = event.kind == Kind::route_added;
  if ((new_network || new_route) && !session_.has_live_path() && pending_cause_ && !session_.done()) {
    // Recovery is timed from the moment a new network is there, as the paper
    // times it after the switch to the new access point.
    if (new_network) outage_since_ = Clock::now();
    retry_now_ = true;
    mobility_wake_.cancel();
    abandon_attempt();  // an attempt from the old network may hang until its timeout
  }
  update();
}

asio::awaitable<void> Connection::run_mobility() {
  auto self = shared_from_this();
  Duration pause = options_.retry_min;
  while (!finished_) {
    if (session_.has_live_path() || session_.done()) {
      pause = options_.retry_min;
      mobility_wake_.expires_at(TimePoint::max());
      co_await mobility_wake_.async_wait(use_tuple);
      continue;
    }
    retry_now_ = false;
    if (co_await try_migrate()) {
      pause = options_.retry_min;
      continue;
    }
    if (finished_) break;
    if (retry_now_) {  // the network changed during the attempt: try again at once
      pause = options_.retry_min;
      continue;
    }
    // Address events cancel this wait, so a new network is tried at once.
    mobility_wake_.expires_after(pause);
    co_await mobility_wake_.async_wait(use_tuple);
    pause = retry_now_ ? options_.retry_min : std::min(pause * 2, options_.retry_max);
  }
}

void Connection::set_remote(const tcp::endpoint& remote) {
  remote_ = remote;
  if (std::find(candidates_.begin(), candidates_.end(), remote) == candidates_.end())
    candidates_.insert(candidates_.begin(), remote);
}

void Connection::abandon_attempt() { attempt_deadline_.cancel(); }

wire::Setup Connection::path_request(wire::SetupKind kind, PathId id, PathPriority priority) {
  wire::Setup request;
  request.code = static_cast<std::uint8_t>(kind);
  if (priority == PathPriority::backup) request.flags = wire::kSetupBackup;
  request.conn_id = to_int(id_);
  request.path_id = to_int(id);
  request.ack = session_.recv_ack();
  request.window = session_.recv_window();
  request.counter = next_counter();
  request.control = control_address();
  request.mac = session::setup_mac(secret_, request, false);
  return request;
}

bool Connection::accepts(const wire::Setup& request, const wire::Setup& answer) const {
  return answer.code == static_cast<std::uint8_t>(wire::SetupStatus::ok) && answer.conn_id == request.conn_id &&
         answer.path_id == request.path_id && answer.counter == request.counter &&
         session::verify_setup_mac(secret_, answer, true);
}

asio::awaitable<bool> Connection::try_migrate() {
  // A keepalive timeout may mean the peer moved and could not tell us
  // (we are behind a NAT): ask where it is before trying the old address.
  // After our own move the old address is the best guess, and after a
  // RECONNECT the announced one: ask only after a miss.
  const bool ask_first = pending_cause_ == MigrationCause::path_failure;
  if (locator_ && (ask_first || failed_attempts_ > 0)) co_await refresh_candidates();
  if (finished_) co_return false;
  const auto targets = candidates_;
  for (const auto& target : targets) {
    if (co_await migrate_to(target)) {
      remote_ = target;
      co_return true;
    }
    // Something changed (news of the peer, a new network): start over with
    // what we know now; that was no failed attempt.
    if (finished_ || retry_now_) co_return false;
  }
  ++failed_attempts_;
  co_return false;
}

Duration Connection::attempt_timeout() const {
  return std::min(options_.connect_timeout, std::max<Duration>(options_.retry_max, 1s));
}

asio::awaitable<bool> Connection::migrate_to(tcp::endpoint remote) {
  const PathId path_id{0};
  std::optional<asio::ip::address> source;
  if (options_.source && paths::is_local_address(*options_.source)) source = options_.source;
  // One attempt lasts no longer than the retry interval (rho, at least a
  // second for the handshake): an old address that never answers must not
  // hold up the next lookup for the whole connect timeout.
  attempt_deadline_.expires_after(attempt_timeout());
  attempt_target_ = remote;
  auto socket = co_await connect_socket(remote, source, attempt_deadline_);
  attempt_target_.reset();
  if (finished_) co_return false;
  if (!socket) {
    log::transport()->debug("conn={} reconnect to {} failed: {}", to_hex(id_), to_string(remote),
                            socket.error().message());
    co_return false;
  }
  const auto priority = path_priority(options_, socket->local_endpoint().address());
  const auto request = path_request(wire::SetupKind::migrate, path_id, priority);
  if (auto ec = co_await write_frame(*socket, wire::SetupFrame{request})) co_return false;
  auto reply = co_await read_setup(*socket, options_.handshake_timeout);
  if (finished_) co_return false;
  if (!reply || !std::holds_alternative<wire::SetupAckFrame>(*reply)) {
    log::transport()->debug("conn={} MIGRATE to {} got no answer: {}", to_hex(id_), to_string(remote),
                            reply ? "unexpected frame" : reply.error().message());
    co_return false;
  }
  const auto& answer = std::get<wire::SetupAckFrame>(*reply);
  const auto status = static_cast<wire::SetupStatus>(answer.code);
  if (status == wire::SetupStatus::closed || status == wire::SetupStatus::unknown_connection) {
    log::transport()->info("conn={} peer has no more state for the connection", to_hex(id_));
    session_.peer_closed(Clock::now());
    update();
    co_return true;
  }
  // Only an answer made with the connection secret may restart the stream:
  // a forged one could make us skip or repeat bytes.
  if (!accepts(request, answer)) {
    log::transport()->warn("conn={} MIGRATE refused or answer not authentic (status {})",
                           to_hex(id_), static_cast<int>(answer.code));
    co_return false;
  }
  attach_path(path_id, std::move(*socket), answer.ack, answer.window, priority);
  co_return true;
}

}  // namespace msocket::transport
