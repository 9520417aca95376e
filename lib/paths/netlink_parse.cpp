#include "paths/netlink_parse.hpp"

// glibc's <net/if.h> first: <linux/if.h> then skips what the two share.
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>

namespace msocket::paths {
namespace {

using Bytes = std::span<const std::byte>;

// NLMSG_ALIGN and RTA_ALIGN: both round up to 4 bytes.
constexpr std::size_t align4(std::size_t n) { return (n + 3) & ~std::size_t{3}; }

// Copies a kernel struct out of the datagram; the caller has checked the size.
// memcpy because the receive buffer promises no alignment.
template <class T>
T load(Bytes bytes) {
  T value;
  std::memcpy(&value, bytes.data(), sizeof value);
  return value;
}

// Skips `n` bytes, or all that is left when the last item has no padding.
Bytes skip(Bytes bytes, std::size_t n) { return bytes.subspan(std::min(n, bytes.size())); }

// Calls `visit(type, payload)` for each rtattr in `bytes`.
// Errors: errc::bad_frame when an attribute header or its length does not fit.
template <class Visit>
boost::system::error_code for_each_attribute(Bytes bytes, Visit visit) {
  while (!bytes.empty()) {
    if (bytes.size() < sizeof(rtattr)) return errc::bad_frame;
    const auto attribute = load<rtattr>(bytes);
    if (attribute.rta_len < sizeof(rtattr) || attribute.rta_len > bytes.size()) {
      return errc::bad_frame;
    }
    visit(attribute.rta_type & NLA_TYPE_MASK,
          bytes.subspan(sizeof(rtattr), attribute.rta_len - sizeof(rtattr)));
    bytes = skip(bytes, align4(attribute.rta_len));
  }
  return {};
}

// A NUL-terminated (or attribute-bounded) name, cut at ':' so an IPv4 alias
// label ("eth0:1") names its interface; ':' is not allowed in interface names.
std::string attribute_string(Bytes payload) {
  std::string name(reinterpret_cast<const char*>(payload.data()), payload.size());
  name.resize(std::min({name.size(), name.find('\0'), name.find(':')}));  // npos: neither
  return name;
}

// Errors: errc::bad_frame when the size does not match the family.
result<boost::asio::ip::address> attribute_address(int family, Bytes payload, unsigned ifindex) {
  if (family == AF_INET && payload.size() == 4) {
    return boost::asio::ip::address_v4(load<std::array<unsigned char, 4>>(payload));
  }
  if (family == AF_INET6 && payload.size() == 16) {
    boost::asio::ip::address_v6 v6(load<std::array<unsigned char, 16>>(payload));
    if (v6.is_link_local()) v6.scope_id(ifindex);
    return v6;
  }
  return errc::bad_frame;
}

// RTM_NEWADDR/RTM_DELADDR body. nullopt for a family we do not track.
result<std::optional<AddressEvent>> parse_address(std::uint16_t type, Bytes body) {
  if (body.size() < sizeof(ifaddrmsg)) return errc::bad_frame;
  const auto header = load<ifaddrmsg>(body);
  if (header.ifa_family != AF_INET && header.ifa_family != AF_INET6) {
    return std::optional<AddressEvent>{};
  }
  AddressEvent event{type == RTM_NEWADDR ? AddressEventKind::address_added
                                         : AddressEventKind::address_removed,
                     {}, header.ifa_index, {}};
  std::optional<Bytes> local, address;
  auto ec = for_each_attribute(skip(body, align4(sizeof(ifaddrmsg))), [&](unsigned kind, Bytes payload) {
    if (kind == IFA_LOCAL) local = payload;
    if (kind == IFA_ADDRESS) address = payload;
    if (kind == IFA_LABEL) event.ifname = attribute_string(payload);
  });
  if (ec) return ec;
  // A message with neither attribute gets an empty span, which fails below.
  auto parsed = attribute_address(header.ifa_family, local.value_or(address.value_or(Bytes{})),
                                  event.ifindex);
  if (!parsed) return parsed.error();
  event.address = *parsed;
  return std::optional<AddressEvent>{std::move(event)};
}

// RTM_NEWLINK/RTM_DELLINK body.
result<AddressEvent> parse_link(std::uint16_t type, Bytes body) {
  if (body.size() < sizeof(ifinfomsg)) return errc::bad_frame;
  const auto header = load<ifinfomsg>(body);
  // Up means usable: administratively up (IFF_UP), carrier (IFF_LOWER_UP) and
  // operationally up (IFF_RUNNING, which a dormant Wi-Fi link lacks).
  constexpr unsigned usable = IFF_UP | IFF_RUNNING | IFF_LOWER_UP;
  const bool up = type == RTM_NEWLINK && (header.ifi_flags & usable) == usable;
  AddressEvent event{up ? AddressEventKind::link_up : AddressEventKind::link_down,
                     {}, static_cast<unsigned>(header.ifi_index), {}};
  auto ec = for_each_attribute(skip(body, align4(sizeof(ifinfomsg))), [&](unsigned kind, Bytes payload) {
    if (kind == IFLA_IFNAME) event.ifname = attribute_string(payload);
  });
  if (ec) return ec;
  return event;
}

// RTM_NEWROUTE body: only unicast routes of the main table matter to us.
result<std::optional<AddressEvent>> parse_route(Bytes body) {
  if (body.size() < sizeof(rtmsg)) return errc::bad_frame;
  const auto header = load<rtmsg>(body);
  if ((header.rtm_family != AF_INET && header.rtm_family != AF_INET6) || header.rtm_type != RTN_UNICAST)
    return std::optional<AddressEvent>{};
  AddressEvent event{AddressEventKind::route_added, {}, 0, {}};
  unsigned table = header.rtm_table;
  auto ec = for_each_attribute(skip(body, align4(sizeof(rtmsg))), [&](unsigned kind, Bytes payload) {
    if (kind == RTA_OIF && payload.size() == 4) event.ifindex = load<std::uint32_t>(payload);
    if (kind == RTA_TABLE && payload.size() == 4) table = load<std::uint32_t>(payload);
  });
  if (ec) return ec;
  if (table != RT_TABLE_MAIN) return std::optional<AddressEvent>{};
  return std::optional<AddressEvent>{std::move(event)};
}

// Appends the event of one message, if it carries one.
boost::system::error_code parse_message(std::uint16_t type, Bytes body,
                                        std::vector<AddressEvent>& events) {
  switch (type) {
    case RTM_NEWADDR:
    case RTM_DELADDR: {
      auto event = parse_address(type, body);
      if (!event) return event.error();
      if (*event) events.push_back(std::move(**event));
      return {};
    }
    case RTM_NEWLINK:
    case RTM_DELLINK: {
      auto event = parse_link(type, body);
      if (!event) return event.error();
      events.push_back(std::move(*event));
      return {};
    }
    case RTM_NEWROUTE: {
      auto event = parse_route(body);
      if (!event) return event.error();
      if (*event) events.push_back(std::move(**event));
      return {};
    }
    default:
      return {};  // NLMSG_NOOP, NLMSG_ERROR, deleted routes, neighbours: not ours.
  }
}

}  // namespace

result<std::vector<AddressEvent>> parse_netlink(std::span<const std::byte> datagram) {
  std::vector<AddressEvent> events;
  while (!datagram.empty()) {
    if (datagram.size() < sizeof(nlmsghdr)) return errc::bad_frame;
    const auto header = load<nlmsghdr>(datagram);
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > datagram.size()) {
      return errc::bad_frame;
    }
    if (header.nlmsg_type == NLMSG_DONE) break;
    const Bytes body = datagram.subspan(align4(sizeof(nlmsghdr)), header.nlmsg_len - sizeof(nlmsghdr));
    if (auto ec = parse_message(header.nlmsg_type, body, events)) return ec;
    datagram = skip(datagram, align4(header.nlmsg_len));
  }
  return events;
}

}  // namespace msocket::paths
