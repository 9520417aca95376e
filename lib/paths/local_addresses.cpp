#include "paths/local_addresses.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <system_error>

#include "core/log.hpp"
#include "paths/address_choice.hpp"

namespace msocket::paths {
namespace {

using boost::asio::ip::address;
using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;

// Number of leading one bits in a netmask of `size` bytes.
unsigned prefix_length(const unsigned char* mask, std::size_t size) {
  unsigned bits = 0;
  for (std::size_t i = 0; i < size; ++i) bits += std::popcount(mask[i]);
  return bits;
}

// The address and prefix of one getifaddrs entry; nullopt for other families
// (AF_PACKET entries carry link-layer addresses).
std::optional<LocalAddress> from_entry(const ifaddrs& entry) {
  if (entry.ifa_addr == nullptr) return std::nullopt;
  LocalAddress local;
  if (entry.ifa_addr->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, entry.ifa_addr, sizeof in);
    address_v4::bytes_type bytes;
    std::memcpy(bytes.data(), &in.sin_addr, bytes.size());
    local.address = address_v4(bytes);
    if (entry.ifa_netmask != nullptr) {
      std::memcpy(&in, entry.ifa_netmask, sizeof in);
      local.prefix_len = prefix_length(reinterpret_cast<unsigned char*>(&in.sin_addr), 4);
    }
  } else if (entry.ifa_addr->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, entry.ifa_addr, sizeof in6);
    address_v6::bytes_type bytes;
    std::memcpy(bytes.data(), &in6.sin6_addr, bytes.size());
    local.address = address_v6(bytes, in6.sin6_scope_id);
    if (entry.ifa_netmask != nullptr) {
      std::memcpy(&in6, entry.ifa_netmask, sizeof in6);
      local.prefix_len = prefix_length(reinterpret_cast<unsigned char*>(&in6.sin6_addr), 16);
    }
  } else {
    return std::nullopt;
  }
  // getifaddrs names an IPv4 alias by its label ("eth0:1"); ':' cannot occur
  // in an interface name, so what precedes it is the interface.
  local.ifname = entry.ifa_name != nullptr ? entry.ifa_name : "";
  local.ifname.resize(std::min(local.ifname.find(':'), local.ifname.size()));
  local.ifindex = if_nametoindex(local.ifname.c_str());
  return local;
}

}  // namespace

std::vector<LocalAddress> list_local_addresses() {
  ifaddrs* head = nullptr;
  if (getifaddrs(&head) != 0) {
    const int error = errno;  // read before the logger can overwrite it
    log::paths()->warn("cannot list local addresses: {}", std::generic_category().message(error));
    return {};
  }
  std::unique_ptr<ifaddrs, decltype(&freeifaddrs)> owner(head, &freeifaddrs);
  std::vector<LocalAddress> addresses;
  for (const ifaddrs* entry = head; entry != nullptr; entry = entry->ifa_next) {
    if ((entry->ifa_flags & IFF_UP) == 0) continue;
    if (auto local = from_entry(*entry)) addresses.push_back(std::move(*local));
  }
  log::paths()->debug("listed {} local addresses", addresses.size());
  return addresses;
}

std::optional<LocalAddress> find_local_address(const address& a) { return find_in(list_local_addresses(), a); }

bool is_local_address(const address& a) { return find_local_address(a).has_value(); }

bool in_subnet_of(const LocalAddress& local, const address& other) {
  const address mine = unmapped(local.address), theirs = unmapped(other);
  if (local.prefix_len == 0 || mine.is_v4() != theirs.is_v4()) return false;
  if (mine.is_v4()) {
    const unsigned bits = std::min(local.prefix_len, 32u);
    const auto mask = bits == 32 ? 0xffffffffu : ~(0xffffffffu >> bits);
    return (mine.to_v4().to_uint() & mask) == (theirs.to_v4().to_uint() & mask);
  }
  const auto x = mine.to_v6().to_bytes(), y = theirs.to_v6().to_bytes();
  const unsigned bits = std::min(local.prefix_len, 128u);
  for (unsigned bit = 0; bit < bits; ++bit) {
    const unsigned mask = 0x80u >> (bit % 8);
    if ((x[bit / 8] & mask) != (y[bit / 8] & mask)) return false;
  }
  return true;
}

}  // namespace msocket::paths
