// rtnetlink datagrams laid out by hand from the kernel structs, never by the
// code under test: what the netlink parser's unit tests and the fuzzing seeds
// (fuzz/make_corpus.cpp) are built from.
#pragma once

// glibc's <net/if.h> first: <linux/if.h> then skips what the two share.
#include <net/if.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

namespace msocket::paths::netlink_messages {

using Bytes = std::vector<std::byte>;
namespace ip = boost::asio::ip;

inline void append(Bytes& out, const void* data, std::size_t size) {
  const auto* p = static_cast<const std::byte*>(data);
  out.insert(out.end(), p, p + size);
  out.resize((out.size() + 3) & ~std::size_t{3});  // NLMSG_ALIGN / RTA_ALIGN
}

inline Bytes attribute(std::uint16_t type, const void* data, std::size_t size) {
  rtattr header{static_cast<unsigned short>(sizeof(rtattr) + size), type};
  Bytes out;
  append(out, &header, sizeof header);
  append(out, data, size);
  return out;
}

inline Bytes attribute(std::uint16_t type, const std::string& text) {
  return attribute(type, text.c_str(), text.size() + 1);  // with its NUL, as the kernel sends it
}

inline Bytes attribute(std::uint16_t type, const ip::address& a) {
  if (a.is_v4()) return attribute(type, a.to_v4().to_bytes().data(), 4);
  return attribute(type, a.to_v6().to_bytes().data(), 16);
}

template <class Fixed>
Bytes message(std::uint16_t type, const Fixed& fixed, const std::vector<Bytes>& attributes = {}) {
  Bytes body;
  append(body, &fixed, sizeof fixed);
  for (const auto& a : attributes) body.insert(body.end(), a.begin(), a.end());
  nlmsghdr header{static_cast<std::uint32_t>(sizeof(nlmsghdr) + body.size()), type, 0, 1, 0};
  Bytes out;
  append(out, &header, sizeof header);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

inline Bytes address_message(std::uint16_t type, unsigned char family, unsigned index,
                      const std::vector<Bytes>& attributes) {
  ifaddrmsg fixed{family, static_cast<unsigned char>(family == AF_INET ? 24 : 64), 0, RT_SCOPE_UNIVERSE, index};
  return message(type, fixed, attributes);
}

inline Bytes link_message(std::uint16_t type, int index, unsigned flags, const std::string& name) {
  ifinfomsg fixed{};
  fixed.ifi_family = AF_UNSPEC;
  fixed.ifi_index = index;
  fixed.ifi_flags = flags;
  fixed.ifi_change = 0xFFFFFFFF;
  return message(type, fixed, {attribute(IFLA_MTU, "\xdc\x05\0\0", 4), attribute(IFLA_IFNAME, name)});
}

inline Bytes concat(const std::vector<Bytes>& parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace msocket::paths::netlink_messages
