// Decoding of rtnetlink notifications (RTM_NEWADDR/RTM_DELADDR,
// RTM_NEWLINK/RTM_DELLINK) into address and link events. Pure: no socket, no
// logging, no OS lookups, so it can be fed hand-built bytes in tests. The
// watcher (address_watcher.hpp) owns the socket.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "msocket/error.hpp"

namespace msocket::paths {

// route_added: a route appeared (e.g. the default route after an address
// change), so a flowpath that could not be opened a moment ago may open now.
enum class AddressEventKind { address_added, address_removed, link_up, link_down, route_added };

struct AddressEvent {
  AddressEventKind kind;
  // The local address for address events; unspecified (default) for link
  // events. An IPv6 link-local address carries scope_id == ifindex so it can
  // be bound as is.
  boost::asio::ip::address address;
  unsigned ifindex = 0;
  // From the message itself when it says (IFLA_IFNAME, IPv4 IFA_LABEL without
  // its ":alias" suffix); empty otherwise. The watcher fills it in from the
  // index when it can.
  std::string ifname;
};

// Decodes one datagram received from a NETLINK_ROUTE socket into events, in
// the order of its messages.
// - RTM_NEWADDR/RTM_DELADDR (AF_INET, AF_INET6) -> address_added/removed,
//   with IFA_LOCAL if present, else IFA_ADDRESS (for a point-to-point IPv4
//   link IFA_ADDRESS is the peer, IFA_LOCAL ours). Other families: skipped.
// - RTM_NEWLINK -> link_up when the flags hold IFF_UP, IFF_RUNNING and
//   IFF_LOWER_UP, else link_down; one event per message, so repeats are
//   normal. RTM_DELLINK -> link_down.
// - RTM_NEWROUTE (AF_INET, AF_INET6, main table) -> route_added, with the
//   output interface (RTA_OIF) as ifindex when the message has one.
// - NLMSG_DONE ends the datagram; other message types are skipped.
// Errors: errc::bad_frame when any length (message, fixed header, attribute,
// address size) is inconsistent with the datagram; no events are returned
// then, since the rest of the datagram cannot be trusted.
result<std::vector<AddressEvent>> parse_netlink(std::span<const std::byte> datagram);

}  // namespace msocket::paths
