#include "proxy/relay.hpp"

#include <boost/asio/co_spawn.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "proxy/message_io.hpp"
#include "relay_state.hpp"

namespace msocket::proxy {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

std::string endpoint_text(const tcp::endpoint& endpoint) {
  auto a = endpoint.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(endpoint.port());
  return a.to_string() + ":" + std::to_string(endpoint.port());
}

asio::ip::address source_address(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  return address;
}

result<std::shared_ptr<Relay>> Relay::open(asio::any_io_executor ex, RelayConfig config) {
  if (config.public_address.is_unspecified()) return error_code(asio::error::invalid_argument);
  tcp::acceptor acceptor(ex);
  error_code ec;
  acceptor.open(config.listen.protocol(), ec);
  if (!ec) set_close_on_exec(acceptor.native_handle());
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(config.listen, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  return std::make_shared<Relay>(ex, std::move(config), std::move(acceptor));
}

Relay::Relay(asio::any_io_executor ex, RelayConfig config, tcp::acceptor acceptor)
    : ex_(ex), config_(std::move(config)), acceptor_(std::move(acceptor)) {
  if (!config_.names.empty()) names_ = std::make_unique<names::Client>(ex_, config_.names);
}

Relay::~Relay() = default;

void Relay::start() {
  asio::co_spawn(ex_, run_accept(), LogCoroutineFailure(log::proxy(), "accepting control channels"));
}

tcp::endpoint Relay::local_endpoint() const {
  error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

void Relay::close() {
  closed_ = true;
  error_code ignored;
  acceptor_.close(ignored);
  if (names_) names_->cancel();
  for (auto& [name, reservation] : reservations_) {
    reservation->acceptor.close(ignored);
    reservation->expiry.cancel();
    if (reservation->control) reservation->control->socket.close(ignored);
  }
  for (auto& [id, flow] : waiting_) {
    flow->client.close(ignored);
    flow->timer.cancel();
  }
  for (auto& [id, flow] : flows_) {
    flow->client.close(ignored);
    flow->server.close(ignored);
  }
}

void Relay::drain() {
  if (draining_ || closed_) return;
  draining_ = true;
  ++counters_.drains;
  log::proxy()->info("draining: {} reservation(s) told to go elsewhere, {} flow(s) go on until they end or move",
                     reservations_.size(), flows_.size());
  for (auto& [name, reservation] : reservations_)
    if (reservation->control) send(reservation->control, Drain{});
}

asio::awaitable<void> Relay::run_accept() {
  auto self = shared_from_this();
  while (!closed_) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (closed_) break;
    if (ec) {
      log::proxy()->warn("accept failed: {}", ec.message());
      asio::steady_timer pause(ex_, std::chrono::milliseconds(100));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    set_close_on_exec(socket.native_handle());
    error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    if (peer_ec) continue;
    const auto source = source_address(peer.address());
    // One source cannot take the handshake slots of all: a flood of bogus
    // control connections from it fills only its own.
    if (handshakes_ >= config_.limits.handshakes ||
        count_of(handshakes_by_source_, source) >= config_.limits.handshakes_per_source) {
      refuse(Refusal::limited);
      log::proxy()->debug("no handshake slot for {}", source.to_string());
      continue;
    }
    asio::co_spawn(ex_, run_incoming(std::move(socket), source), LogCoroutineFailure(log::proxy(), "a new connection"));
  }
}

// The first message says what the connection is: a control channel (Hello)
// or the server's half of a flow (Join).
asio::awaitable<void> Relay::run_incoming(tcp::socket socket, asio::ip::address source) {
  auto self = shared_from_this();
  // The slot is held until the connection has shown what it is: a control
  // channel that holds a reservation, or a flow half that matched.
  std::optional<SourceSlot> slot(std::in_place, handshakes_by_source_, source);
  ++handshakes_;
  bool counted = true;
  auto release = [this, &slot, &counted] {
    slot.reset();
    if (std::exchange(counted, false)) --handshakes_;
  };
  auto first = co_await read_message(socket, config_.limits.handshake_timeout);
  if (!first) {
    release();
    log::proxy()->debug("dropped a connection from {}: {}", source.to_string(), first.error().message());
    co_return;
  }
  counters_.bytes_copied += encode(*first).size();
  if (closed_) {
    release();
  } else if (std::holds_alternative<Hello>(*first)) {
    co_await run_control(std::move(socket), source, release);
  } else if (const auto* join = std::get_if<Join>(&*first)) {
    release();
    co_await run_join(std::move(socket), *join);
  } else {
    release();
    log::proxy()->debug("dropped a connection from {}: it did not begin with hello or join", source.to_string());
  }
  release();
}

RelayCounters Relay::counters() const {
  auto out = counters_;
  out.reservations = reservations_.size();
  out.flows = flows_.size();
  out.waiting = waiting_.size();
  out.control_channels = 0;
  for (const auto& [name, reservation] : reservations_) out.control_channels += reservation->control ? 1 : 0;
  return out;
}

std::uint32_t Relay::load() const {
  const auto& limits = config_.limits;
  // Thousandths of the fuller of the two limits, rounded up, so that a
  // relay with anything on it never says 0 (no load).
  auto share = [](std::size_t used, std::size_t most) -> std::uint32_t {
    if (used == 0) return 0;
    if (most == 0 || used >= most) return 1000;
    return static_cast<std::uint32_t>((used * 1000 + most - 1) / most);
  };
  return std::max(share(reservations_.size(), limits.max_reservations),
                  share(flows_.size() + waiting_.size(), limits.max_flows));
}

void Relay::refuse(Refusal reason) { ++counters_.refusals[static_cast<std::size_t>(reason)]; }

}  // namespace msocket::proxy
