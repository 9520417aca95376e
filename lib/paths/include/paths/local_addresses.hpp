// The addresses configured on this host's interfaces right now (a snapshot;
// AddressWatcher reports the changes that follow).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace msocket::paths {

struct LocalAddress {
  // IPv6 link-local addresses carry scope_id == ifindex.
  boost::asio::ip::address address;
  unsigned ifindex = 0;
  std::string ifname;  // the interface, without an IPv4 ":alias" label suffix
  unsigned prefix_len = 0;
};

// Every IPv4 and IPv6 address configured on an interface that is
// administratively up (IFF_UP), loopback included: the caller filters.
// Blocking (getifaddrs), but fast: it is a netlink dump, no network traffic.
// On failure (e.g. out of file descriptors) logs a warning on the paths
// logger and returns an empty list.
std::vector<LocalAddress> list_local_addresses();

// True if `a` is currently configured on some local interface that is up.
// A v4-mapped IPv6 address (::ffff:a.b.c.d, as a dual-stack socket reports
// it) is matched as IPv4; an IPv6 address without a scope id matches a
// link-local address on any interface.
bool is_local_address(const boost::asio::ip::address& a);

// Whether `other` lies in `local`'s subnet (its first prefix_len bits;
// false without a prefix or across address families).
bool in_subnet_of(const LocalAddress& local, const boost::asio::ip::address& other);

// The local address `a` (matched as is_local_address does) with its
// interface, or nullopt when no interface that is up has it.
std::optional<LocalAddress> find_local_address(const boost::asio::ip::address& a);

}  // namespace msocket::paths
