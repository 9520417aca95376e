// parse_netlink on hand-built rtnetlink datagrams: the bytes are laid out
// (paths_netlink_messages.hpp) from the kernel structs, never by code under
// test.
#include "paths_netlink_messages.hpp"

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "paths/netlink_parse.hpp"

namespace {

using msocket::paths::AddressEventKind;
using msocket::paths::parse_netlink;
using namespace msocket::paths::netlink_messages;

// As unsigned: glibc and Linux declare these flags in two different enums.
const unsigned kLowerUp = IFF_LOWER_UP;
const unsigned kUsable = IFF_UP | IFF_RUNNING | kLowerUp;

}  // namespace

TEST_CASE("RTM_NEWADDR IPv4 prefers IFA_LOCAL and names the interface from the label", "[paths]") {
  const auto bytes = address_message(RTM_NEWADDR, AF_INET, 3,
                                     {attribute(IFA_ADDRESS, ip::make_address("10.0.0.9")),
                                      attribute(IFA_LOCAL, ip::make_address("10.0.0.5")),
                                      attribute(IFA_LABEL, std::string("eth0:1"))});
  auto events = parse_netlink(bytes);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 1);
  const auto& e = events->front();
  CHECK(e.kind == AddressEventKind::address_added);
  CHECK(e.address == ip::make_address("10.0.0.5"));
  CHECK(e.ifindex == 3);
  CHECK(e.ifname == "eth0");
}

// Found by fuzz_netlink (fuzz/regressions/fuzz_netlink/label_without_nul):
// a name with neither NUL nor ':' made attribute_string resize to npos and
// throw std::length_error out of the parser.
TEST_CASE("an interface name without NUL or ':' ends where its attribute ends", "[paths]") {
  const auto bytes = concat({address_message(RTM_NEWADDR, AF_INET, 3,
                                             {attribute(IFA_LOCAL, ip::make_address("10.0.0.5")),
                                              attribute(IFA_LABEL, "eth0", 4)}),
                             link_message(RTM_NEWLINK, 3, kUsable, "wlan0")});
  auto events = parse_netlink(bytes);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 2);
  CHECK((*events)[0].ifname == "eth0");
  CHECK((*events)[1].ifname == "wlan0");
}

TEST_CASE("RTM_NEWADDR IPv6 uses IFA_ADDRESS, link-local gets the interface as scope", "[paths]") {
  const auto global = ip::make_address("2001:db8::1");
  const auto link_local = ip::make_address("fe80::1234");
  const auto bytes = concat({address_message(RTM_NEWADDR, AF_INET6, 7, {attribute(IFA_ADDRESS, global)}),
                             address_message(RTM_NEWADDR, AF_INET6, 7, {attribute(IFA_ADDRESS, link_local)})});
  auto events = parse_netlink(bytes);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 2);
  CHECK((*events)[0].kind == AddressEventKind::address_added);
  CHECK((*events)[0].address == global);
  CHECK((*events)[0].ifindex == 7);
  CHECK((*events)[0].ifname.empty());
  REQUIRE((*events)[1].address.is_v6());
  CHECK((*events)[1].address.to_v6().to_bytes() == link_local.to_v6().to_bytes());
  CHECK((*events)[1].address.to_v6().scope_id() == 7);
}

TEST_CASE("RTM_DELADDR gives address_removed", "[paths]") {
  const auto bytes = address_message(RTM_DELADDR, AF_INET, 4, {attribute(IFA_ADDRESS, ip::make_address("192.0.2.7"))});
  auto events = parse_netlink(bytes);
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 1);
  CHECK(events->front().kind == AddressEventKind::address_removed);
  CHECK(events->front().address == ip::make_address("192.0.2.7"));
  CHECK(events->front().ifindex == 4);
}

TEST_CASE("RTM_NEWLINK is up only with IFF_UP, IFF_RUNNING and IFF_LOWER_UP", "[paths]") {
  auto kind_of = [](std::uint16_t type, unsigned flags) {
    auto events = parse_netlink(link_message(type, 5, flags, "wlan0"));
    REQUIRE(events.has_value());
    REQUIRE(events->size() == 1);
    CHECK(events->front().ifindex == 5);
    CHECK(events->front().ifname == "wlan0");
    return events->front().kind;
  };
  CHECK(kind_of(RTM_NEWLINK, kUsable | IFF_BROADCAST) == AddressEventKind::link_up);
  CHECK(kind_of(RTM_NEWLINK, IFF_UP) == AddressEventKind::link_down);
  CHECK(kind_of(RTM_NEWLINK, IFF_UP | kLowerUp) == AddressEventKind::link_down);  // dormant
  CHECK(kind_of(RTM_NEWLINK, IFF_RUNNING | kLowerUp) == AddressEventKind::link_down);
  CHECK(kind_of(RTM_NEWLINK, 0) == AddressEventKind::link_down);
  CHECK(kind_of(RTM_DELLINK, kUsable) == AddressEventKind::link_down);
}

namespace {

// Link up, an address added and removed, a route (ignored), then NLMSG_DONE
// and a message after it (ignored).
std::vector<Bytes> several_messages() {
  rtmsg route{};
  route.rtm_family = AF_INET;
  nlmsghdr done{sizeof(nlmsghdr), NLMSG_DONE, NLM_F_MULTI, 1, 0};
  Bytes done_bytes;
  append(done_bytes, &done, sizeof done);
  return {link_message(RTM_NEWLINK, 2, kUsable, "eth1"),
          address_message(RTM_NEWADDR, AF_INET, 2, {attribute(IFA_LOCAL, ip::make_address("10.1.0.2"))}),
          message(RTM_NEWROUTE, route),
          address_message(RTM_DELADDR, AF_INET6, 2, {attribute(IFA_ADDRESS, ip::make_address("2001:db8::2"))}),
          done_bytes,
          link_message(RTM_DELLINK, 2, 0, "eth1")};
}

}  // namespace

TEST_CASE("several messages in one datagram give their events in order", "[paths]") {
  auto events = parse_netlink(concat(several_messages()));
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 3);
  CHECK((*events)[0].kind == AddressEventKind::link_up);
  CHECK((*events)[1].kind == AddressEventKind::address_added);
  CHECK((*events)[1].address == ip::make_address("10.1.0.2"));
  CHECK((*events)[2].kind == AddressEventKind::address_removed);
  CHECK((*events)[2].address == ip::make_address("2001:db8::2"));
}

TEST_CASE("empty datagram and untracked families give no events", "[paths]") {
  auto empty = parse_netlink({});
  REQUIRE(empty.has_value());
  CHECK(empty->empty());
  auto other = parse_netlink(address_message(RTM_NEWADDR, AF_PACKET, 1, {attribute(IFA_ADDRESS, "\1\2\3\4\5\6", 6)}));
  REQUIRE(other.has_value());
  CHECK(other->empty());
}

TEST_CASE("a datagram truncated at every length errs or gives a prefix of the events", "[paths]") {
  const auto parts = several_messages();
  const auto full = concat(parts);
  std::vector<std::size_t> boundaries{0};
  for (const auto& p : parts) boundaries.push_back(boundaries.back() + p.size());
  const std::vector<std::size_t> events_at_boundary{0, 1, 2, 2, 3, 3, 3};
  for (std::size_t size = 0; size < full.size(); ++size) {
    INFO("truncated to " << size << " of " << full.size() << " bytes");
    auto events = parse_netlink(std::span(full).first(size));
    bool at_boundary = false;
    if (size >= boundaries[5]) {  // NLMSG_DONE is whole: what follows is never read
      REQUIRE(events.has_value());
      CHECK(events->size() == 3);
      continue;
    }
    for (std::size_t i = 0; i < boundaries.size(); ++i) {
      if (boundaries[i] != size) continue;
      at_boundary = true;
      REQUIRE(events.has_value());
      CHECK(events->size() == events_at_boundary[i]);
    }
    if (!at_boundary) {
      REQUIRE_FALSE(events.has_value());
      CHECK(events.error() == msocket::errc::bad_frame);
    }
  }
}

TEST_CASE("inconsistent lengths are bad_frame", "[paths]") {
  const auto good = address_message(RTM_NEWADDR, AF_INET, 3, {attribute(IFA_LOCAL, ip::make_address("10.0.0.5"))});
  // Offsets into `good`: nlmsghdr (16), ifaddrmsg (8), then the rtattr.
  constexpr std::size_t kRtaLen = 16 + 8;
  auto with_u16 = [&](std::size_t offset, std::uint16_t value) {
    auto bytes = good;
    std::memcpy(bytes.data() + offset, &value, sizeof value);
    return bytes;
  };
  auto with_nlmsg_len = [&](std::uint32_t value) {
    auto bytes = good;
    std::memcpy(bytes.data(), &value, sizeof value);
    return bytes;
  };
  auto expect_bad = [](const Bytes& bytes) {
    auto events = parse_netlink(bytes);
    REQUIRE_FALSE(events.has_value());
    CHECK(events.error() == msocket::errc::bad_frame);
  };
  REQUIRE(parse_netlink(good).has_value());
  SECTION("rta_len below the attribute header") { expect_bad(with_u16(kRtaLen, 2)); }
  SECTION("rta_len past the message") { expect_bad(with_u16(kRtaLen, 64)); }
  SECTION("address of the wrong size for its family") { expect_bad(with_u16(kRtaLen, 4 + 3)); }
  SECTION("nlmsg_len below the message header") { expect_bad(with_nlmsg_len(8)); }
  SECTION("nlmsg_len past the datagram") { expect_bad(with_nlmsg_len(static_cast<std::uint32_t>(good.size() + 4))); }
  SECTION("message too short for ifaddrmsg") { expect_bad(with_nlmsg_len(16 + 4)); }
  SECTION("address message without an address") { expect_bad(address_message(RTM_NEWADDR, AF_INET, 3, {})); }
  SECTION("IPv6 family with an IPv4-sized address") {
    expect_bad(address_message(RTM_NEWADDR, AF_INET6, 3, {attribute(IFA_ADDRESS, ip::make_address("10.0.0.5"))}));
  }
  SECTION("link message too short for ifinfomsg") {
    rtattr nothing{};
    expect_bad(message(RTM_NEWLINK, nothing));
  }
}

TEST_CASE("RTM_NEWROUTE of the main table gives route_added with its interface", "[paths]") {
  rtmsg route{};
  route.rtm_family = AF_INET;
  route.rtm_table = RT_TABLE_MAIN;
  route.rtm_type = RTN_UNICAST;
  const std::uint32_t oif = 7;
  auto events = parse_netlink(message(RTM_NEWROUTE, route, {attribute(RTA_OIF, &oif, 4)}));
  REQUIRE(events.has_value());
  REQUIRE(events->size() == 1);
  CHECK((*events)[0].kind == AddressEventKind::route_added);
  CHECK((*events)[0].ifindex == 7);

  route.rtm_table = RT_TABLE_LOCAL;  // local-table routes come with every address: not news
  auto local = parse_netlink(message(RTM_NEWROUTE, route));
  REQUIRE(local.has_value());
  CHECK(local->empty());

  route.rtm_table = RT_TABLE_MAIN;
  auto truncated = parse_netlink(message(RTM_NEWROUTE, route, {attribute(RTA_OIF, &oif, 2)}));
  REQUIRE(truncated.has_value());  // a short RTA_OIF is skipped, not trusted
  CHECK((*truncated)[0].ifindex == 0);
}
