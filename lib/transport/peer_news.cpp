// News from the peer that the transport itself reads: a RECONNECT on the
// client's UDP control socket after the server moved (docs/protocol.md §2.7,
// paper §III-B3; reconnect_receiver.hpp), and the ADDRESSES frame where a
// server offers flowpaths (§2.8). What to do with it is the path manager's.
#include "core/log.hpp"
#include "transport/connection.hpp"
#include "transport/flowpath.hpp"
#include "transport/handshake.hpp"
#include "wire/codec.hpp"

namespace msocket::transport {

void Connection::listen_for_reconnect(std::unique_ptr<ControlSocket::Lease> control) {
  std::weak_ptr<Connection> weak = shared_from_this();
  control_ = std::make_shared<ReconnectReceiver>(ex_, std::move(control), id_, auth_, [weak](const tcp::endpoint& where) {
    // The server sends RECONNECT only once it has dropped our flowpaths.
    if (auto self = weak.lock()) self->peer_moved({where}, "RECONNECT", true);
  });
  if (!control_->start()) {
    control_->close();
    control_.reset();
  }
}

void Connection::on_peer_addresses(const wire::AddressesFrame& frame) {
  Locator::Endpoints offered;
  std::string text;
  for (std::size_t i = 0; i < frame.count; ++i) {
    const auto a = address_of(wire::ControlAddress{frame.ips[i], 0});
    offered.emplace_back(a, frame.relays ? frame.ports[i] : frame.port);
    text += (text.empty() ? "" : " ") + to_string(offered.back());
  }
  if (frame.relays) {
    const auto before = paths_.peer_relays();
    const auto decisions = paths_.peer_addresses(offered, true, Clock::now());
    if (paths_.peer_relays() != before)
      log::transport()->info("conn={} peer is reached through relays {}", to_hex(id_), text.empty() ? "(none)" : text);
    execute(decisions);
    return;
  }
  log::transport()->debug("conn={} peer's addresses: {} (port {})", to_hex(id_), text, frame.port);
  const auto before = paths_.peer_offers();
  const auto decisions = paths_.peer_addresses(offered, false, Clock::now());
  if (paths_.peer_offers() != before)
    log::transport()->info("conn={} peer offers flowpaths at {} port {}", to_hex(id_), text, frame.port);
  execute(decisions);
}

}  // namespace msocket::transport
