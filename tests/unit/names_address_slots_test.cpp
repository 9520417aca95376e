#include <boost/asio/ip/address.hpp>
#include <catch2/catch.hpp>

#include "names/address_slots.hpp"

using namespace msocket::names;
namespace ip = boost::asio::ip;
using Refusal = AddressSlots::Refusal;

TEST_CASE("address slots: a share per address, and a total", "[names]") {
  AddressSlots slots(5, 3);
  const auto a = ip::make_address("127.0.0.2"), b = ip::make_address("127.0.0.3");
  std::vector<AddressSlots::Slot> held(6);
  for (int i = 0; i < 3; ++i) CHECK(slots.take(a, held[static_cast<std::size_t>(i)]) == Refusal::none);
  AddressSlots::Slot refused;
  CHECK(slots.take(a, refused) == Refusal::address_full);
  CHECK_FALSE(refused);
  CHECK(slots.take(b, held[3]) == Refusal::none);  // a holding its share does not stop b
  CHECK(slots.take(b, held[4]) == Refusal::none);
  CHECK(slots.take(b, held[5]) == Refusal::total_full);
  CHECK(slots.held() == 5);
  CHECK(slots.held_by(a) == 3);
  held[0].release();
  CHECK(slots.held_by(a) == 2);
  CHECK(slots.take(a, held[0]) == Refusal::none);
  CHECK(slots.take(a, refused) == Refusal::address_full);  // over its share and the total: its share is said
}

TEST_CASE("address slots: given back when the slot goes, moved with it", "[names]") {
  AddressSlots slots(0, 1);
  const auto a = ip::make_address("192.0.2.7");
  {
    AddressSlots::Slot slot;
    REQUIRE(slots.take(a, slot) == Refusal::none);
    AddressSlots::Slot moved = std::move(slot);
    CHECK(slots.held_by(a) == 1);
  }
  CHECK(slots.held() == 0);
  AddressSlots::Slot again;
  CHECK(slots.take(a, again) == Refusal::none);
}

TEST_CASE("address slots: an IPv4 client through an IPv6 socket counts as itself", "[names]") {
  CHECK(source_address(ip::make_address("::ffff:192.0.2.7")) == ip::make_address("192.0.2.7"));
  CHECK(source_address(ip::make_address("2001:db8::1")) == ip::make_address("2001:db8::1"));
  AddressSlots slots(0, 0);  // no limits at all
  std::vector<AddressSlots::Slot> held(100);
  for (auto& slot : held) CHECK(slots.take(ip::make_address("::1"), slot) == Refusal::none);
}
