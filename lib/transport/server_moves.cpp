// Server mobility (paper §III-B3, server half): when an address of ours goes
// away, the flowpaths that used it are dead; we keep listening (a wildcard
// listener hears on the new address at once) and tell each client where we
// are now with a RECONNECT on its control address (docs/protocol.md §2.7).
// The RECONNECTs of a move are signed together and leave together, in
// batches of sendmmsg(2), with one retry deadline for all of them
// (reconnect_batch.hpp): a thousand stranded clients are told within a
// millisecond, not one after another. A client we cannot reach (behind a
// NAT) finds us by our name instead, which the name registration updates
// (lib/api) from the same address event, in parallel.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "paths/address_choice.hpp"
#include "paths/local_addresses.hpp"
#include "session/auth.hpp"
#include "transport/datagram_batch.hpp"
#include "transport/fast_open.hpp"
#include "transport/handshake.hpp"
#include "transport/listener.hpp"
#include "wire/reconnect.hpp"

namespace msocket::transport {

namespace {
// A thousand RECONNECTs (or their acks) of 74 bytes each, about 1 KiB each
// in the kernel's accounting, must fit at once.
constexpr int kControlBuffer = 2 * 1024 * 1024;

double milliseconds_since(TimePoint start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

}  // namespace

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
  if (!ec) control_->non_blocking(true, ec);  // sendmmsg must not block the executor
  if (!ec && bound.address().is_v6()) control_->set_option(asio::ip::v6_only(false), ec);  // to IPv4 clients too
  if (!ec) control_->bind(asio::ip::udp::endpoint(bound.address(), 0), ec);
  if (ec) {
    log::transport()->warn("no control socket ({}): clients learn of our moves by name only", ec.message());
    control_.reset();
  } else {
    boost::system::error_code ignored;  // the defaults are only slower for a large batch
    control_->set_option(asio::socket_base::send_buffer_size(kControlBuffer), ignored);
    enlarge_receive_buffer(control_->native_handle(), kControlBuffer);  // their acks come back at once
    reconnect_wake_ = std::make_unique<asio::steady_timer>(ex_);
    asio::co_spawn(ex_, run_control(), log_coroutine_exception);
  }
  local_addresses_ = paths::list_local_addresses();
  std::weak_ptr<Listener> weak = shared_from_this();
  watch_ = paths::SharedAddressWatcher::of(ex_).subscribe(
      ex_, [weak](const paths::AddressEvent& event, const std::vector<paths::LocalAddress>& now) {
        if (auto self = weak.lock()) self->on_address_event(event, now);
      });
  if (!watch_) log::transport()->warn("cannot follow local addresses: no server mobility");
}

void Listener::stop_server_mobility() {
  watch_.reset();
  boost::system::error_code ignored;
  if (control_) control_->close(ignored);
  if (reconnect_wake_) reconnect_wake_->cancel();
  if (fast_open_grace_) fast_open_grace_->cancel();
}

// Each connection's path manager drops the flowpaths on a removed address
// and advertises our addresses anew; the connections that lost every
// flowpath are told where we are now.
void Listener::on_address_event(const paths::AddressEvent& event, const std::vector<paths::LocalAddress>& now) {
  if (closed_) return;
  using Kind = paths::AddressEventKind;
  const auto seen = Clock::now();
  local_addresses_ = now;
  // The clients whose every flowpath leaves from the removed address are
  // told first: closing a thousand connections' flowpaths takes a while,
  // and their MIGRATEs come back a round trip later, after it.
  std::size_t told_first = 0;
  if (event.kind == Kind::address_removed && !relayed_) told_first = announce_before_closing(event.address);
  for (auto& [id, entry] : connections_) {
    auto conn = entry.connection.lock();
    if (conn && conn->on_address_event(event, local_addresses_) && !reconnects_.contains(id)) stranded_.insert(id);
  }
  if (event.kind == Kind::address_removed && (!stranded_.empty() || told_first > 0))
    log::transport()->info("address {} removed: {} connection(s) to move ({:.2f} ms to close their flowpaths)",
                           event.address.to_string(), stranded_.size() + told_first, milliseconds_since(seen));
  // Reached through relays, our new address is as unreachable as the old
  // one: the relays close the flows of our old address, and the clients
  // come back through them (docs/protocol.md §5).
  if (relayed_) stranded_.clear();
  if (!stranded_.empty()) announce_moves(true);
  // A RECONNECT sent before our route was back ("network unreachable") goes
  // again as soon as there is one, not at its next timeout.
  if (event.kind == Kind::route_added && reconnects_.pending() > 0) {
    reconnects_.hurry(Clock::now());
    reconnect_wake_->cancel();
  }
}

// RECONNECTs, at once, for the connections that lose every flowpath with
// `removed`, before those flowpaths are closed; the number told.
std::size_t Listener::announce_before_closing(const asio::ip::address& removed) {
  for (auto& [id, entry] : connections_) {
    auto conn = entry.connection.lock();
    if (conn && !conn->session().done() && conn->only_on(removed)) stranded_.insert(id);
  }
  if (stranded_.empty()) return 0;
  announce_moves(false);
  return reconnects_.pending();
}

// Signs a RECONNECT for every stranded connection that has an address of
// ours to go to, puts them in the batch and has them sent at once.
void Listener::announce_moves(bool closed_first) {
  if (!control_) {
    stranded_.clear();  // they find us by name
    return;
  }
  const auto started = Clock::now();
  const auto port = local_endpoint().port();
  std::size_t added = 0;
  for (auto it = stranded_.begin(); it != stranded_.end();) {
    auto found = connections_.find(*it);
    auto conn = found == connections_.end() ? nullptr : found->second.connection.lock();
    const bool back = closed_first && conn && conn->session().has_live_path();
    if (!conn || conn->session().done() || back || !conn->peer_control()) {
      it = stranded_.erase(it);  // gone, already back, or it cannot be told
      continue;
    }
    const auto address = paths::address_for(local_addresses_, conn->peer_control()->address());
    if (!address) {  // no address yet: wait for one to be added
      ++it;
      continue;
    }
    wire::Reconnect frame;
    frame.conn_id = *it;
    frame.address = to_wire(*address, port);
    conn->auth().sign_reconnect(frame);
    reconnects_.add({frame.conn_id, frame.counter, *conn->peer_control(), wire::encode(frame)}, started);
    ++added;
    it = stranded_.erase(it);
  }
  if (added == 0) return;
  log::transport()->info("signed {} RECONNECT(s) in {:.3f} ms", added, milliseconds_since(started));
  if (options_.fast_open) {  // their MIGRATEs come at once, each in a SYN
    size_fast_open_queue(acceptor_, reconnects_.pending());
    fast_open_widened_ = true;
  }
  send_due_reconnects();
  if (reconnects_running_) {
    reconnect_wake_->cancel();  // the runner waits for the new deadline
  } else {
    reconnects_running_ = true;
    asio::co_spawn(ex_, run_reconnects(), log_coroutine_exception);
  }
}

// Sends each later round of the batch when it falls due, until every
// RECONNECT is answered, given up, or no longer needed. The first round
// went from announce_moves(); the connections are looked at only after a
// wait, when the flowpaths of the move are closed (co_spawn may start us
// inside announce_moves, before they are).
asio::awaitable<void> Listener::run_reconnects() {
  auto self = shared_from_this();
  while (!closed_ && control_ && reconnect_wake_) {
    const auto next = reconnects_.next_send();
    if (!next) break;
    reconnect_wake_->expires_at(*next);
    co_await reconnect_wake_->async_wait(use_tuple);  // cancelled: new RECONNECTs, an ack, a route
    if (closed_ || !control_) break;
    drop_needless_reconnects();
    send_due_reconnects();
  }
  reconnects_running_ = false;
  if (fast_open_widened_) co_await narrow_fast_open_queue();
}

// The last acknowledged clients' MIGRATEs are still on their way when the
// batch ends: the Fast Open queue goes back to its bound (against spoofed
// SYNs) a while later, unless a new move widened it again meanwhile.
asio::awaitable<void> Listener::narrow_fast_open_queue() {
  constexpr Duration kWidenedAfterBatch = std::chrono::seconds(3);
  if (!fast_open_grace_) fast_open_grace_ = std::make_unique<asio::steady_timer>(ex_);
  fast_open_grace_->expires_after(kWidenedAfterBatch);
  // Cancelled when the listener closes, or re-armed by the end of a newer
  // batch, whose own wait then narrows it.
  auto [cancelled] = co_await fast_open_grace_->async_wait(use_tuple);
  if (cancelled || closed_ || reconnects_running_ || !fast_open_widened_) co_return;
  size_fast_open_queue(acceptor_, 0);
  fast_open_widened_ = false;
}

// The connections that ended or came back by themselves (their name lookup)
// need no more RECONNECT.
void Listener::drop_needless_reconnects() {
  for (const auto id : reconnects_.connections()) {
    const auto found = connections_.find(id);
    const auto conn = found == connections_.end() ? nullptr : found->second.connection.lock();
    if (!conn || conn->session().done() || conn->session().has_live_path()) reconnects_.forget(id);
  }
}

// Sends every RECONNECT due now, without waiting: the first round of a
// move leaves from inside the address event. A full send buffer (2 MiB: it
// should not be) leaves the rest to the next round.
void Listener::send_due_reconnects() {
  const auto due = reconnects_.take_due(Clock::now());
  for (const auto id : reconnects_.given_up())
    log::transport()->debug("conn={} RECONNECT unanswered", to_hex(ConnId{id}));
  if (due.empty() || !control_) return;
  std::vector<OutgoingDatagram> datagrams;
  datagrams.reserve(due.size());
  for (const auto* r : due) datagrams.push_back({r->datagram, r->to});
  const auto started = Clock::now();
  const auto progress = send_datagrams(control_->native_handle(), datagrams);
  // The first round of a move is its announcement (info); retries are debug.
  log::transport()->log(due.front()->tries == 1 ? spdlog::level::info : spdlog::level::debug,
                        "RECONNECT round {}: {} sent, {} refused{}{} in {} sendmmsg call(s), {:.3f} ms",
                        due.front()->tries, progress.sent, progress.failed,
                        progress.first_error ? " (" + progress.first_error.message() + ")" : "",
                        progress.would_block ? ", the rest at the next round (send buffer full)" : "", progress.calls,
                        milliseconds_since(started));
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
  if (!frame || !frame->is_ack || !reconnects_.contains(frame->conn_id)) return;
  const auto found = connections_.find(frame->conn_id);
  auto conn = found == connections_.end() ? nullptr : found->second.connection.lock();
  if (!conn || !conn->auth().verify_reconnect_ack(*frame)) return;
  if (!reconnects_.acknowledge(frame->conn_id, frame->counter)) return;  // an older move's
  log::transport()->debug("conn={} RECONNECT acknowledged", to_hex(ConnId{frame->conn_id}));
  if (reconnects_.pending() == 0) {
    log::transport()->info("every RECONNECT acknowledged");
    reconnect_wake_->cancel();
  }
}

}  // namespace msocket::transport
