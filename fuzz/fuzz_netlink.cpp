// paths::parse_netlink on arbitrary datagrams, as a NETLINK_ROUTE socket
// could deliver them: no crash, and what it returns is consistent with the
// bytes (at most one event per 16-byte message header, link events without
// an address, interface names cut at ':' and NUL).
#include <sys/socket.h>

#include <linux/netlink.h>

#include "check.hpp"
#include "paths/netlink_parse.hpp"

using namespace msocket;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto events = paths::parse_netlink(fuzz::bytes_of(data, size));
  if (!events) {
    FUZZ_CHECK(events.error() == errc::bad_frame);
    return 0;
  }
  FUZZ_CHECK(events->size() <= size / sizeof(nlmsghdr));
  for (const auto& event : *events) {
    using Kind = paths::AddressEventKind;
    const bool address_event = event.kind == Kind::address_added || event.kind == Kind::address_removed;
    if (!address_event) FUZZ_CHECK(event.address == boost::asio::ip::address());
    FUZZ_CHECK(event.ifname.find(':') == std::string::npos);
    FUZZ_CHECK(event.ifname.find('\0') == std::string::npos);
    if (address_event && event.address.is_v6() && event.address.to_v6().is_link_local())
      FUZZ_CHECK(event.address.to_v6().scope_id() == event.ifindex);
  }
  return 0;
}
