// Client side of server and simultaneous mobility (paper §III-B3): learning
// where the peer went. Three sources, fastest first: a RECONNECT from the
// peer on our UDP control socket (docs/protocol.md §2.7); a change of the
// peer's name record that we follow (a watch, so no retry interval is lost);
// and asking the name again when a move fails (the fallback that also works
// when RECONNECT cannot reach us behind a NAT).
#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "session/auth.hpp"
#include "transport/connection.hpp"
#include "transport/flowpath.hpp"
#include "transport/handshake.hpp"
#include "wire/reconnect.hpp"

namespace msocket::transport {

namespace {
constexpr Duration kFreshPath = std::chrono::seconds(1);
}

void Connection::set_control_socket(asio::ip::udp::socket socket) {
  control_ = std::make_unique<asio::ip::udp::socket>(std::move(socket));
  asio::co_spawn(ex_, run_control(), log_coroutine_exception);
}

wire::ControlAddress Connection::control_address() const {
  // The IP is left zero: "the address this flowpath comes from" (§2.1), which
  // is the one the peer can answer to, whatever our interfaces are called.
  if (!control_) return {};
  error_code ignored;
  return wire::ControlAddress{{}, control_->local_endpoint(ignored).port()};
}

asio::awaitable<void> Connection::run_control() {
  auto self = shared_from_this();
  std::array<std::byte, 256> buffer;
  asio::ip::udp::endpoint from;
  while (!finished_ && control_) {
    auto [ec, n] = co_await control_->async_receive_from(asio::buffer(buffer), from,
                                                         asio::as_tuple(asio::use_awaitable));
    if (finished_) break;
    if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) break;
    if (ec) continue;  // e.g. an ICMP error for an earlier ack
    on_control_datagram(std::span(buffer).first(n), from);
  }
}

void Connection::on_control_datagram(std::span<const std::byte> datagram,
                                     const asio::ip::udp::endpoint& from) {
  auto frame = wire::decode_reconnect(datagram);
  if (!frame || frame->is_ack || frame->conn_id != to_int(id_)) {
    log::transport()->debug("conn={} ignored a control datagram from {}: {}", to_hex(id_), to_string(from),
                            !frame ? frame.error().message() : "not a RECONNECT for this connection");
    return;
  }
  // §4: only the peer holds the secret, and an old RECONNECT replayed must
  // not pull us back to an address the peer has left.
  if (!session::verify_reconnect_mac(secret_, *frame)) {
    log::transport()->warn("conn={} RECONNECT from {} not authentic: ignored", to_hex(id_), to_string(from));
    return;
  }
  if (frame->counter < peer_reconnect_counter_) return;
  wire::Reconnect ack;
  ack.is_ack = true;
  ack.conn_id = frame->conn_id;
  ack.counter = frame->counter;
  ack.mac = session::reconnect_mac(secret_, ack);
  const auto bytes = wire::encode(ack);
  error_code ignored;
  control_->send_to(asio::buffer(bytes), from, 0, ignored);  // a lost ack is sent again on the retry
  if (frame->counter == peer_reconnect_counter_) return;     // a retry of one we acted on
  peer_reconnect_counter_ = frame->counter;
  const tcp::endpoint where(address_of(frame->address), frame->address.port);
  log::transport()->info("conn={} RECONNECT: peer now at {}", to_hex(id_), to_string(where));
  // The server sends RECONNECT only once it has dropped our flowpaths.
  peer_moved({where}, "RECONNECT", true);
}

void Connection::set_locator(std::shared_ptr<Locator> locator) {
  locator_ = std::move(locator);
  if (!locator_ || !options_.follow_peer_name) return;
  std::weak_ptr<Connection> weak = shared_from_this();
  locator_->follow([weak](const Locator::Endpoints& where) {
    if (auto self = weak.lock()) self->peer_moved(where, "name changed");
  });
}

void Connection::peer_moved(const std::vector<tcp::endpoint>& where, const char* how, bool paths_dead) {
  if (finished_ || where.empty() || role_ != Role::client) return;
  const bool same = where == candidates_ && !paths_dead;
  // The peer's new list first; what we knew before stays as a last resort
  // (a name record can lag behind a RECONNECT).
  std::vector<tcp::endpoint> merged = where;
  for (const auto& old : candidates_)
    if (std::find(merged.begin(), merged.end(), old) == merged.end()) merged.push_back(old);
  candidates_ = std::move(merged);
  if (same) return;
  // Flowpaths to an address the peer no longer has are dead even if their
  // keepalive has not noticed yet: move them now.
  std::vector<PathId> stale;
  for (auto& [id, path] : flowpaths_) {
    const bool gone = std::find(where.begin(), where.end(), path->remote) == where.end();
    // A RECONNECT may cross our own MIGRATE to the same address: a flowpath
    // opened just now is that one, not one the peer dropped.
    const bool dropped = paths_dead && Clock::now() - path->opened > kFreshPath;
    if (gone || dropped) stale.push_back(id);
  }
  const bool outage = !session_.has_live_path() || stale.size() == flowpaths_.size();
  if (!outage) return;
  peer_moved_ = true;
  for (auto id : stale) close_path(id, MigrationCause::server_move, std::string("peer moved (") + how + ")");
  if (!pending_cause_) return;  // nothing to move (e.g. the connection has no path yet)
  log::transport()->debug("conn={} peer moved ({}): trying {} first", to_hex(id_), how,
                          to_string(candidates_.front()));
  // What we were told is fresher than any lookup: try it before asking.
  failed_attempts_ = 0;
  // An attempt already on its way to where the peer is now goes on.
  const bool on_its_way =
      attempt_target_ && std::find(where.begin(), where.end(), *attempt_target_) != where.end();
  if (!on_its_way) {
    retry_now_ = true;
    abandon_attempt();
    mobility_wake_.cancel();
  }
  update();
}

asio::awaitable<void> Connection::refresh_candidates() {
  auto self = shared_from_this();
  auto locator = locator_;
  auto found = co_await locator->resolve();
  if (finished_) co_return;
  if (!found) {
    log::transport()->debug("conn={} cannot look up {}: {}", to_hex(id_), locator->describe(),
                            found.error().message());
    co_return;
  }
  if (std::find(found->begin(), found->end(), remote_.value_or(tcp::endpoint{})) == found->end())
    peer_moved_ = true;
  std::vector<tcp::endpoint> merged = *found;
  for (const auto& old : candidates_)
    if (std::find(merged.begin(), merged.end(), old) == merged.end()) merged.push_back(old);
  candidates_ = std::move(merged);
}

}  // namespace msocket::transport
