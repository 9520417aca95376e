// Carrying out the path manager's decisions (lib/paths/path_manager.hpp):
// opening flowpaths with MIGRATE or ADD_PATH, closing them, abandoning
// attempts, asking the locator where the peer went, sending our addresses.
// Events for the path manager come in here too: our addresses and routes
// (rtnetlink), the peer's moves, the application's wish to migrate.
#include <algorithm>

#include <boost/asio/co_spawn.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "paths/local_addresses.hpp"
#include "transport/admission.hpp"
#include "transport/connection.hpp"
#include "transport/flowpath.hpp"
#include "transport/handshake.hpp"
#include "wire/codec.hpp"

namespace msocket::transport {

void Connection::execute(const paths::Decisions& decisions) {
  for (const auto& decision : decisions) {
    if (finished_) return;
    if (const auto* open = std::get_if<paths::OpenFlowpath>(&decision)) {
      asio::co_spawn(ex_, open_flowpath(*open), log_coroutine_exception);
    } else if (const auto* close = std::get_if<paths::CloseFlowpath>(&decision)) {
      close_socket(close->path, close->why);
    } else if (const auto* abandon = std::get_if<paths::AbandonAttempt>(&decision)) {
      // Expired rather than cancelled: a Fast Open attempt is between its
      // connect and its SETUP exchange for a moment, with no wait on the
      // timer that a cancel would end; it must find the deadline passed.
      if (auto it = attempts_.find(abandon->attempt); it != attempts_.end())
        it->second->expires_at(asio::steady_timer::time_point::min());
    } else if (std::holds_alternative<paths::LookUpPeer>(decision)) {
      if (locator_) asio::co_spawn(ex_, look_up_peer(), log_coroutine_exception);
    } else if (std::holds_alternative<paths::NetworkChanged>(decision)) {
      if (locator_) locator_->network_changed();
    } else if (const auto* advert = std::get_if<paths::Advertise>(&decision)) {
      advert_.set(*advert);
      for (auto& [id, path] : flowpaths_) path->wake.cancel();
    }
  }
}

wire::Setup Connection::path_request(wire::SetupKind kind, PathId id, PathPriority priority) {
  wire::Setup request;
  request.code = static_cast<std::uint8_t>(kind);
  if (priority == PathPriority::backup) request.flags = wire::kSetupBackup;
  request.conn_id = to_int(id_);
  request.path_id = to_int(id);
  request.ack = session_.recv_ack();
  request.window = session_.recv_window();
  // The IP is left zero: "the address this flowpath comes from" (§2.1), the
  // one the peer can answer to, whatever our interfaces are called.
  if (control_) request.control = wire::ControlAddress{{}, control_->port()};
  request.cipher = cipher_;
  auth_.sign_request(request);
  return request;
}

// One attempt of the path manager's: connect (abandoned when its timer is
// cancelled), then MIGRATE or ADD_PATH (join_flowpath), then the flowpath
// joins the connection. With Fast Open the SETUP rides in the SYN, so the
// timer goes on covering the exchange, as it covers a connect.
asio::awaitable<void> Connection::open_flowpath(paths::OpenFlowpath order) {
  auto self = shared_from_this();
  auto deadline = std::make_shared<asio::steady_timer>(ex_, order.timeout);
  attempts_[order.attempt] = deadline;
  std::optional<asio::ip::address> source;
  if (order.source) source = order.source->address;
  bool deferred = false;
  result<tcp::socket> socket = asio::error::not_connected;
  if (early_connects_ && source && order.kind == paths::AttemptKind::add_path &&
      early_connects_->holds(*source, order.remote))
    socket = co_await early_connects_->take(*source, order.remote, *deadline);
  const bool opened_early = socket.has_value();
  // The early connect failed: once more, as any attempt (or at once
  // timed out if the attempt's own time is up).
  if (!socket) socket = co_await connect_socket(order.remote, source, *deadline, options_.fast_open, &deferred);
  log::transport()->debug("conn={} attempt {} to {} from {} (within {} ms): {}", to_hex(id_),
                          paths::to_int(order.attempt), to_string(order.remote), source ? source->to_string() : "any",
                          std::chrono::duration_cast<std::chrono::milliseconds>(order.timeout).count(),
                          !socket ? socket.error().message() : deferred ? "SETUP in the SYN" : "connected");
  if (!socket || !deferred) attempts_.erase(order.attempt);
  if (finished_) co_return;
  if (!socket) {
    log::transport()->debug("conn={} {} to {} from {} failed: {}", to_hex(id_),
                            order.kind == paths::AttemptKind::migrate ? "reconnect" : "flowpath",
                            to_string(order.remote), source ? source->to_string() : "any", socket.error().message());
    attempt_failed(order.attempt, paths::AttemptStage::connect);
    co_return;
  }
  // Named, not a temporary inside the co_await: g++ 12 destroys such a
  // temporary twice (see names/client.cpp).
  std::shared_ptr<asio::steady_timer> syn_deadline;
  if (deferred) syn_deadline = deadline;
  co_await join_flowpath(order, std::move(*socket), syn_deadline, opened_early);
  attempts_.erase(order.attempt);
}

void Connection::attempt_failed(paths::AttemptId attempt, paths::AttemptStage stage) {
  execute(paths_.attempt_failed(attempt, stage, Clock::now()));
  update();
}

// The SETUP exchange of an attempt (§2.1-2.2). Only an answer made with the
// connection secret may restart the stream: a forged one could make us skip
// or repeat bytes.
asio::awaitable<void> Connection::join_flowpath(paths::OpenFlowpath order, tcp::socket socket,
                                               std::shared_ptr<asio::steady_timer> syn_deadline, bool opened_early) {
  const bool migrate = order.kind == paths::AttemptKind::migrate;
  boost::system::error_code local_ec;
  const auto local = socket.local_endpoint(local_ec);
  const auto priority = paths_.priority_of(local.address());
  const auto request = path_request(migrate ? wire::SetupKind::migrate : wire::SetupKind::add_path, order.path, priority);
  auto exchange = [&]() -> asio::awaitable<result<wire::Frame>> {
    if (auto ec = co_await write_frame(socket, wire::SetupFrame{request})) co_return ec;
    co_return co_await read_setup(socket, options_.handshake_timeout);
  };
  result<wire::Frame> reply = asio::error::timed_out;
  if (syn_deadline) {
    auto exchanging = exchange();
    auto expiring = syn_deadline->async_wait(use_tuple);
    auto outcome = co_await first_of(exchanging, expiring);
    if (outcome.index() == 0) reply = std::move(std::get<0>(outcome));
  } else {
    reply = co_await exchange();
  }
  if (finished_) co_return;
  // The SYN went with the SETUP: a failure of the socket is a failure to
  // connect, as the path manager counts them (another address may answer).
  // So does a connection opened early that the listener dropped meanwhile
  // (its handshake timeout, a restart): it hangs up instead of answering,
  // which from a fresh connection would mean a refusal for good.
  const bool early_dropped = opened_early && !reply &&
                             (reply.error().category() != msocket::category() || reply.error() == errc::handshake_closed);
  if (early_dropped || (syn_deadline && !reply && reply.error().category() != msocket::category())) {
    log::transport()->debug("conn={} {} to {} ({}) failed: {}", to_hex(id_), migrate ? "reconnect" : "flowpath",
                            to_string(order.remote), early_dropped ? "opened early" : "Fast Open", reply.error().message());
    attempt_failed(order.attempt, paths::AttemptStage::connect);
    co_return;
  }
  const auto* answer = reply ? std::get_if<wire::SetupAckFrame>(&*reply) : nullptr;
  const auto status = answer ? static_cast<wire::SetupStatus>(answer->code) : wire::SetupStatus::ok;
  if (migrate && (status == wire::SetupStatus::closed || status == wire::SetupStatus::unknown_connection)) {
    if (peer_forgot(request, *answer, order.remote)) {
      session_.peer_closed(Clock::now());
      update();
    } else {
      attempt_failed(order.attempt, paths::AttemptStage::handshake);
    }
    co_return;
  }
  if (!answer || !auth_.accepts_answer(request, *answer)) {
    log::transport()->info("conn={} {} to {} refused or not authentic: {}", to_hex(id_), migrate ? "MIGRATE" : "ADD_PATH",
                           to_string(order.remote),
                           !reply ? reply.error().message() : "status " + std::to_string(answer ? answer->code : -1));
    attempt_failed(order.attempt, paths::AttemptStage::handshake);
    co_return;
  }
  attach_path(order.path, std::move(socket), request.counter, answer->ack, answer->window, priority, order.attempt);
  if (!migrate && flowpaths_.count(order.path))
    log::transport()->info("conn={} path={} added from {} to {}", to_hex(id_), to_int(order.path), to_string(local),
                           to_string(order.remote));
}

// §3.4: whether a `closed` or `unknown_connection` answer ends the
// connection. An authentic `closed` does at once. Anyone on the path can
// say `unknown_connection`, so that ends it only when the peer has said
// nothing else for kRefusalGrace, in which every candidate address was
// tried (the path manager goes round them, at most retry_max apart).
bool Connection::peer_forgot(const wire::Setup& request, const wire::Setup& answer, const tcp::endpoint& from) {
  constexpr Duration kRefusalGrace = 10s;
  if (auth_.accepts_closed(request, answer)) {
    log::transport()->info("conn={} peer has closed the connection", to_hex(id_));
    return true;
  }
  const auto now = Clock::now();
  if (!refused_since_) refused_since_ = now;
  const bool long_enough = now - *refused_since_ >= std::max(kRefusalGrace, 3 * options_.retry_max);
  log::transport()->info("conn={} {} answered that it has no such connection (not authenticated){}", to_hex(id_),
                         to_string(from), long_enough ? ": giving up" : ": trying on");
  return long_enough;
}

asio::awaitable<void> Connection::look_up_peer() {
  auto self = shared_from_this();
  auto locator = locator_;
  log::transport()->info("conn={} looking up where {} is", to_hex(id_), locator->describe());
  auto found = co_await locator->resolve();
  if (finished_) co_return;
  if (!found) log::transport()->debug("conn={} cannot look up {}: {}", to_hex(id_), locator->describe(), found.error().message());
  execute(paths_.lookup_done(found ? std::optional(*found) : std::nullopt, Clock::now()));
  update();
}

void Connection::set_remote(const tcp::endpoint& remote) { paths_.set_remote(remote); }

void Connection::set_locator(std::shared_ptr<Locator> locator) {
  locator_ = std::move(locator);
  paths_.set_locator(locator_ != nullptr);
  if (!locator_ || !options_.follow_peer_name) return;
  std::weak_ptr<Connection> weak = shared_from_this();
  locator_->follow([weak](const Locator::Endpoints& where) {
    if (auto self = weak.lock()) self->peer_moved(where, "name changed", false);
  });
}

void Connection::peer_moved(const Locator::Endpoints& where, const char* how, bool paths_dead) {
  if (finished_) return;
  const auto decisions = paths_.peer_moved(where, how, paths_dead, Clock::now());
  if (!decisions.empty() && !where.empty())
    log::transport()->debug("conn={} peer moved ({}): trying {} first", to_hex(id_), how, to_string(where.front()));
  execute(decisions);
  update();
}

void Connection::advertise_addresses(std::uint16_t port) {
  execute(paths_.advertise(port));
}

void Connection::advertise_relays(const std::vector<tcp::endpoint>& relays) {
  execute(paths_.advertise_relays(relays));
}

void Connection::start_mobility() {
  if (role_ != Role::client || watch_) return;
  advertise_addresses(0);  // where we are; we accept no flowpaths
  if (options_.follow_addresses) {
    std::weak_ptr<Connection> weak = shared_from_this();
    watch_ = paths::SharedAddressWatcher::of(ex_).subscribe(
        ex_, [weak](const paths::AddressEvent& event, const std::vector<paths::LocalAddress>& now) {
          if (auto self = weak.lock()) self->on_local_address_event(event, now);
        });
    if (!watch_) log::paths()->warn("cannot follow local addresses; moves are noticed by keepalive only");
  }
  execute(paths_.start(Clock::now()));
  update();
}

void Connection::on_local_address_event(const paths::AddressEvent& event,
                                        const std::vector<paths::LocalAddress>& now) {
  if (finished_) return;
  execute(paths_.address_event(event, now, Clock::now()));
  update();
}

bool Connection::only_on(const asio::ip::address& local) const {
  const auto wanted = source_of(local);  // a dual-stack socket's address is IPv4-mapped
  return !flowpaths_.empty() && std::all_of(flowpaths_.begin(), flowpaths_.end(), [&](const auto& entry) {
           return source_of(entry.second->local.address()) == wanted;
         });
}

bool Connection::on_address_event(const paths::AddressEvent& event, const std::vector<paths::LocalAddress>& addresses) {
  if (finished_) return false;
  const auto decisions = paths_.address_event(event, addresses, Clock::now());
  execute(decisions);
  update();
  return std::any_of(decisions.begin(), decisions.end(),
                     [](const paths::Decision& d) { return std::holds_alternative<paths::CloseFlowpath>(d); });
}

void Connection::migrate() {
  execute(paths_.migrate_all(Clock::now()));
  update();
}

}  // namespace msocket::transport
