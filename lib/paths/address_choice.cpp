#include "paths/address_choice.hpp"

#include <algorithm>

namespace msocket::paths {

using boost::asio::ip::address;
using boost::asio::ip::tcp;

address unmapped(const address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
  return a;
}

bool offerable_to(const address& local_address, const address& peer_address) {
  const address local = unmapped(local_address), peer = unmapped(peer_address);
  if (local.is_unspecified() || peer.is_unspecified()) return false;
  if (local.is_loopback() != peer.is_loopback()) return false;
  return !(local.is_v6() && (local.to_v6().is_link_local() || local.to_v6().is_v4_mapped()));
}

bool usable_toward(const address& local, const address& peer) {
  return offerable_to(local, peer) && unmapped(local).is_v4() == unmapped(peer).is_v4();
}

std::vector<address> addresses_to_offer(const std::vector<LocalAddress>& ours, const address& peer) {
  std::vector<address> offered;
  for (const auto& local : ours)
    if (offerable_to(local.address, peer)) offered.push_back(local.address);
  return offered;
}

std::optional<address> address_for(const std::vector<LocalAddress>& ours, const address& peer) {
  std::optional<address> fallback;
  for (const auto& local : ours) {
    if (!usable_toward(local.address, peer)) continue;
    if (in_subnet_of(local, peer)) return local.address;
    if (!fallback) fallback = local.address;
  }
  return fallback;
}

std::vector<tcp::endpoint> remotes_for(const LocalAddress& local, const std::optional<tcp::endpoint>& connected,
                                       const std::vector<tcp::endpoint>& offered) {
  std::vector<tcp::endpoint> all;
  if (connected) all.push_back(*connected);
  for (const auto& candidate : offered) {
    if (candidate.address().is_v4() == local.address.is_v4() &&
        std::find(all.begin(), all.end(), candidate) == all.end())
      all.push_back(candidate);
  }
  std::stable_partition(all.begin(), all.end(),
                        [&](const tcp::endpoint& remote) { return in_subnet_of(local, remote.address()); });
  return all;
}

std::optional<LocalAddress> find_in(const std::vector<LocalAddress>& ours, const address& a) {
  const address wanted = unmapped(a);
  for (const auto& local : ours) {
    if (wanted.is_v6() && local.address.is_v6()) {
      // Without a scope the caller cannot tell interfaces apart: any matches.
      const auto want6 = wanted.to_v6(), have6 = local.address.to_v6();
      if (want6.to_bytes() == have6.to_bytes() && (want6.scope_id() == 0 || want6.scope_id() == have6.scope_id()))
        return local;
    } else if (wanted == local.address) {
      return local;
    }
  }
  return std::nullopt;
}

}  // namespace msocket::paths
