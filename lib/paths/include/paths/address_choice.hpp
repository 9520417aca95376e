// Which of our addresses suit a flowpath to a given peer address, and in
// which order to try the peer's addresses from one of ours. One rule
// (offerable_to, and usable_toward for the same family) serves the three
// places that choose: a flowpath's source (multipath), the addresses a
// connection advertises (docs/protocol.md §2.8), and the address a
// RECONNECT names after a server's move (§2.7).
#pragma once

#include <optional>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "paths/local_addresses.hpp"

namespace msocket::paths {

// Whether a flowpath between our `local` and the peer's `peer` can work:
// the same family (a v4-mapped IPv6 address counts as IPv4), neither
// unspecified, both loopback or neither, and `local` is no IPv6 link-local
// address (it needs a scope the peer cannot know) nor a v4-mapped one.
bool usable_toward(const boost::asio::ip::address& local, const boost::asio::ip::address& peer);

// Whether `local` may be offered to the peer at `peer` for later flowpaths
// (ADDRESSES, §2.8): as usable_toward but of either family, since either
// end may move to the other (from an IPv4 Wi-Fi to an IPv6-only cellular
// network).
bool offerable_to(const boost::asio::ip::address& local, const boost::asio::ip::address& peer);

// Those of `ours` offerable to `peer`, in their order.
std::vector<boost::asio::ip::address> addresses_to_offer(const std::vector<LocalAddress>& ours,
                                                         const boost::asio::ip::address& peer);

// Our address for a peer at `peer`: one usable toward it, preferably on its
// subnet (its route back is the likeliest); nullopt if none is.
std::optional<boost::asio::ip::address> address_for(const std::vector<LocalAddress>& ours,
                                                    const boost::asio::ip::address& peer);

// Where a flowpath from `local` may go, in the order to try: the peer's
// addresses on `local`'s subnet first (reachable without a router), then
// `connected` (the address the connection reached), then the other
// `offered` ones of `local`'s family in the peer's order.
std::vector<boost::asio::ip::tcp::endpoint> remotes_for(const LocalAddress& local,
                                                        const std::optional<boost::asio::ip::tcp::endpoint>& connected,
                                                        const std::vector<boost::asio::ip::tcp::endpoint>& offered);

// The entry of `ours` that is `a` (matched as find_local_address does), if any.
std::optional<LocalAddress> find_in(const std::vector<LocalAddress>& ours, const boost::asio::ip::address& a);

// `a` with a v4-mapped IPv6 address (as a dual-stack socket reports IPv4
// peers) turned into the IPv4 address it maps.
boost::asio::ip::address unmapped(const boost::asio::ip::address& a);

}  // namespace msocket::paths
