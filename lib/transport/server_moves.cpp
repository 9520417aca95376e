// Server mobility (paper §III-B3, server half): when an address of ours goes
// away, the flowpaths that used it are dead; we keep listening (a wildcard
// listener hears on the new address at once) and tell each client where we
// are now with a RECONNECT on its control address (docs/protocol.md §2.7),
// stop-and-wait with retries. A client we cannot reach (behind a NAT) finds
// us by our name instead, which the name registration updates (lib/api).
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "paths/address_watcher.hpp"
#include "paths/address_choice.hpp"
#include "paths/local_addresses.hpp"
#include "session/auth.hpp"
#include "transport/handshake.hpp"
#include "transport/listener.hpp"
#include "wire/reconnect.hpp"

namespace msocket::transport {

namespace {
constexpr Duration kFirstReconnectWait = 100ms;  // doubled after each unanswered try
constexpr int kReconnectTries = 7;               // about 12.7 s in all

}  // namespace

struct Listener::PendingReconnect {
  std::uint64_t counter = 0;
  bool acked = false;
  asio::steady_timer wake;
  explicit PendingReconnect(asio::any_io_executor ex) : wake(ex) {}
};

void Listener::start_server_mobility() {
  boost::system::error_code ec;
  const auto bound = acceptor_.local_endpoint(ec);
  if (ec || !bound.address().is_unspecified()) {
    log::transport()->debug("listening on one address: no server mobility");
    return;
  }
  control_ = std::make_unique<asio::ip::udp::socket>(ex_);
  control_->open(bound.protocol() == tcp::v4() ? asio::ip::udp::v4() : asio::ip::udp::v6(), ec);
  if (!ec) set_close_on_exec(control_->native_handle());
  if (!ec && bound.address().is_v6()) control_->set_option(asio::ip::v6_only(false), ec);  // to IPv4 clients too
  if (!ec) control_->bind(asio::ip::udp::endpoint(bound.address(), 0), ec);
  if (ec) {
    log::transport()->warn("no control socket ({}): clients learn of our moves by name only", ec.message());
    control_.reset();
  } else {
    asio::co_spawn(ex_, run_control(), log_coroutine_exception);
  }
  watcher_ = std::make_unique<paths::AddressWatcher>(ex_);
  local_addresses_ = paths::list_local_addresses();
  std::weak_ptr<Listener> weak = shared_from_this();
  ec = watcher_->start([weak](const paths::AddressEvent& event) {
    if (auto self = weak.lock()) self->on_address_event(event);
  });
  if (ec) {
    log::transport()->warn("cannot follow local addresses ({}): no server mobility", ec.message());
    watcher_.reset();
  }
}

void Listener::stop_server_mobility() {
  if (watcher_) watcher_->stop();
  boost::system::error_code ignored;
  if (control_) control_->close(ignored);
  for (auto& [id, pending] : reconnecting_) pending->wake.cancel();
}

// Each connection's path manager drops the flowpaths on a removed address
// and advertises our addresses anew; the connections that lost every
// flowpath are told where we are now.
void Listener::on_address_event(const paths::AddressEvent& event) {
  if (closed_) return;
  using Kind = paths::AddressEventKind;
  local_addresses_ = paths::list_local_addresses();
  for (auto& [id, entry] : connections_) {
    auto conn = entry.connection.lock();
    if (conn && conn->on_address_event(event, local_addresses_)) stranded_.insert(id);
  }
  if (event.kind == Kind::address_removed && !stranded_.empty())
    log::transport()->info("address {} removed: {} connection(s) to move", event.address.to_string(),
                           stranded_.size());
  // Reached through relays, our new address is as unreachable as the old
  // one: the relays close the flows of our old address, and the clients
  // come back through them (docs/protocol.md §5).
  if (relayed_) stranded_.clear();
  if (!stranded_.empty()) announce_moves();
  // A RECONNECT sent before our route was back ("network unreachable") goes
  // again as soon as there is one, not at its next timeout.
  if (event.kind == Kind::route_added)
    for (auto& [id, pending] : reconnecting_) pending->wake.cancel();
}

void Listener::announce_moves() {
  const auto port = local_endpoint().port();
  for (auto it = stranded_.begin(); it != stranded_.end();) {
    auto found = connections_.find(*it);
    auto conn = found == connections_.end() ? nullptr : found->second.connection.lock();
    if (!conn || conn->session().done() || conn->session().has_live_path() || !conn->peer_control()) {
      it = stranded_.erase(it);  // gone, already back, or it cannot be told
      continue;
    }
    const auto address = paths::address_for(local_addresses_, conn->peer_control()->address());
    if (!address) {  // no address yet: wait for one to be added
      ++it;
      continue;
    }
    asio::co_spawn(ex_, send_reconnect(conn, tcp::endpoint(*address, port)), log_coroutine_exception);
    it = stranded_.erase(it);
  }
}

asio::awaitable<void> Listener::send_reconnect(std::weak_ptr<Connection> weak, tcp::endpoint where) {
  auto self = shared_from_this();
  auto conn = weak.lock();
  if (!conn || !control_) co_return;
  const auto conn_id = to_int(conn->id());
  const auto to = *conn->peer_control();
  wire::Reconnect frame;
  frame.conn_id = conn_id;
  frame.address = to_wire(where.address(), where.port());
  conn->auth().sign_reconnect(frame);
  const auto datagram = wire::encode(frame);
  conn.reset();  // the connection may end while we wait

  auto pending = std::make_shared<PendingReconnect>(ex_);
  pending->counter = frame.counter;
  reconnecting_[conn_id] = pending;  // a newer move supersedes an older one
  Duration wait = kFirstReconnectWait;
  for (int attempt = 1; attempt <= kReconnectTries; ++attempt) {
    boost::system::error_code ec;
    control_->send_to(asio::buffer(datagram), to, 0, ec);
    const auto sent_at = Clock::now();
    log::transport()->debug("conn={} RECONNECT {} to {} (try {}){}", to_hex(ConnId{conn_id}), to_string(where),
                            to_string(to), attempt, ec ? ": " + ec.message() : "");
    pending->wake.expires_after(wait);
    co_await pending->wake.async_wait(use_tuple);
    auto still = weak.lock();
    if (pending->acked || closed_ || !still || still->session().done() || reconnecting_[conn_id] != pending) break;
    if (still->session().has_live_path()) break;  // it came back by itself (its name lookup)
    if (Clock::now() - sent_at >= wait) wait *= 2;  // a timeout, not a new route: back off
  }
  if (pending->acked)
    log::transport()->info("conn={} RECONNECT to {} acknowledged", to_hex(ConnId{conn_id}), to_string(where));
  else
    log::transport()->debug("conn={} RECONNECT to {} unanswered", to_hex(ConnId{conn_id}), to_string(to));
  if (auto it = reconnecting_.find(conn_id); it != reconnecting_.end() && it->second == pending)
    reconnecting_.erase(it);
}

asio::awaitable<void> Listener::run_control() {
  auto self = shared_from_this();
  std::array<std::byte, 256> buffer;
  asio::ip::udp::endpoint from;
  while (!closed_ && control_) {
    auto [ec, n] = co_await control_->async_receive_from(asio::buffer(buffer), from, use_tuple);
    if (closed_ || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) break;
    if (ec) continue;  // an ICMP error for a RECONNECT to a client that moved on
    on_reconnect_ack(std::span(buffer).first(n));
  }
}

void Listener::on_reconnect_ack(std::span<const std::byte> datagram) {
  auto frame = wire::decode_reconnect(datagram);
  if (!frame || !frame->is_ack) return;
  auto pending = reconnecting_.find(frame->conn_id);
  const auto found = connections_.find(frame->conn_id);
  auto conn = found == connections_.end() ? nullptr : found->second.connection.lock();
  if (pending == reconnecting_.end() || !conn || frame->counter != pending->second->counter) return;
  if (!conn->auth().verify_reconnect_ack(*frame)) return;
  pending->second->acked = true;
  pending->second->wake.cancel();
}

}  // namespace msocket::transport
