// Address advertisement (docs/protocol.md §2.8, MPTCP's ADD_ADDR): each end
// tells the other, in band, every address it has; a server adds the port it
// accepts flowpaths on. A client with a second interface on another network
// then opens that interface's flowpath to the server address reachable from
// there: same subnet first, then the address it connected to, then the rest.
#include <algorithm>

#include "core/log.hpp"
#include "paths/local_addresses.hpp"
#include "transport/connection.hpp"
#include "transport/flowpath.hpp"
#include "transport/handshake.hpp"
#include "wire/codec.hpp"

namespace msocket::transport {

wire::AddressesFrame addresses_frame(bool v4, std::uint16_t port) {
  wire::AddressesFrame frame;
  frame.port = port;
  for (const auto& local : paths::list_local_addresses()) {
    const auto& a = local.address;
    if (a.is_v4() != v4 || a.is_loopback() || a.is_unspecified()) continue;
    if (a.is_v6() && (a.to_v6().is_link_local() || a.to_v6().is_v4_mapped())) continue;
    if (frame.count == wire::kMaxAddresses) break;
    const auto control = to_wire(a, 0);
    frame.ips[frame.count++] = control.ip;
  }
  return frame;
}

void Connection::advertise_addresses(std::uint16_t port) {
  advertised_port_ = port;
  refresh_advert();
}

void Connection::refresh_advert() {
  if (!advertised_port_ || finished_ || flowpaths_.empty()) return;
  // The family of the connection (a dual-stack listener sees IPv4 peers
  // as IPv4-mapped IPv6).
  auto local = flowpaths_.begin()->second->local.address();
  if (local.is_v6() && local.to_v6().is_v4_mapped())
    local = asio::ip::make_address_v4(asio::ip::v4_mapped, local.to_v6());
  const auto frame = addresses_frame(local.is_v4(), *advertised_port_);
  if (advert_ && *advert_ == frame) return;
  advert_ = frame;
  advert_pending_ = true;
  for (auto& [id, path] : flowpaths_) path->wake.cancel();
}

std::size_t Connection::take_advert(Flowpath& path, std::span<std::byte> out) {
  if (!advert_pending_ || !advert_) return 0;
  const auto n = wire::encode(*advert_, out);
  if (n == 0) return 0;
  advert_pending_ = false;
  path.transport_bytes += n;  // not the session's: TCP's acks of it are not deliveries
  return n;
}

void Connection::on_peer_addresses(const wire::AddressesFrame& frame) {
  std::vector<tcp::endpoint> offered;
  std::string text;
  for (std::size_t i = 0; i < frame.count; ++i) {
    const auto a = address_of(wire::ControlAddress{frame.ips[i], 0});
    offered.emplace_back(a, frame.port);
    text += (text.empty() ? "" : " ") + a.to_string();
  }
  log::transport()->debug("conn={} peer's addresses: {} (port {})", to_hex(id_), text, frame.port);
  // A client advertises where it is, not where it accepts flowpaths: only a
  // server's list (with its port) is a list of places to connect to.
  if (role_ != Role::client || frame.port == 0 || offered == peer_addresses_) return;
  peer_addresses_ = std::move(offered);
  log::transport()->info("conn={} peer offers flowpaths at {} port {}", to_hex(id_), text, frame.port);
  // An extra path that found no way to the address we connected to may
  // find one to an address just offered.
  if (session_.has_live_path()) retry_extra_paths_now();
}

std::vector<tcp::endpoint> Connection::remotes_for(const asio::ip::address& local) const {
  std::vector<tcp::endpoint> all;
  if (remote_) all.push_back(*remote_);
  for (const auto& offered : peer_addresses_) {
    if (offered.address().is_v4() == local.is_v4() && std::find(all.begin(), all.end(), offered) == all.end())
      all.push_back(offered);
  }
  // Same network as `local` first (reachable without a router), then the
  // address we connected to, then the others in the peer's order.
  if (const auto found = paths::find_local_address(local)) {
    std::stable_partition(all.begin(), all.end(),
                          [&](const tcp::endpoint& remote) { return paths::in_subnet_of(*found, remote.address()); });
  }
  return all;
}

}  // namespace msocket::transport
