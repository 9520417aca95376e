// What a listener lets in (docs/protocol.md §4.5).
#include <catch2/catch.hpp>

#include "transport/admission.hpp"

namespace msocket::transport {
namespace {
boost::asio::ip::address ip(const char* text) { return boost::asio::ip::make_address(text); }
}  // namespace

TEST_CASE("admission: one source cannot take every handshake slot", "[transport]") {
  Admission admission({.handshakes = 10, .handshakes_per_source = 4});
  for (int i = 0; i < 4; ++i) CHECK(admission.begin_handshake(ip("10.0.0.1")));
  CHECK_FALSE(admission.begin_handshake(ip("10.0.0.1")));
  CHECK_FALSE(admission.begin_handshake(ip("::ffff:10.0.0.1")));  // the same host, spelt as IPv6
  CHECK(admission.begin_handshake(ip("10.0.0.2")));
  admission.end_handshake(ip("10.0.0.1"));
  CHECK(admission.begin_handshake(ip("::ffff:10.0.0.1")));
  for (int i = 0; i < 5; ++i) (void)admission.begin_handshake(ip(("10.0.1." + std::to_string(i)).c_str()));
  CHECK(admission.handshakes() == 10);
  CHECK_FALSE(admission.begin_handshake(ip("10.0.2.1")));  // the total
}

TEST_CASE("admission: tombstones keep the secret for a while, and the oldest go first", "[transport]") {
  Admission admission({.tombstones = 3, .tombstone_time = std::chrono::minutes{2}});
  const auto t0 = TimePoint{} + std::chrono::hours{1};
  session::Secret secret{};
  // Ids that do not grow with age: the lowest is the newest.
  for (std::uint64_t id : {30, 20, 10}) {
    secret.fill(std::byte(id));
    admission.bury(id, secret, t0 + std::chrono::seconds{40 - id});
  }
  admission.bury(5, secret, t0 + std::chrono::seconds{40});
  CHECK(admission.tombstone_count() == 3);
  CHECK_FALSE(admission.tombstone(30, t0 + std::chrono::seconds{41}));  // the oldest went
  REQUIRE(admission.tombstone(20, t0 + std::chrono::seconds{41}));
  CHECK((*admission.tombstone(20, t0 + std::chrono::seconds{41}))[0] == std::byte{20});
  CHECK(admission.tombstone(5, t0 + std::chrono::seconds{41}));
  CHECK_FALSE(admission.tombstone(20, t0 + std::chrono::minutes{3}));  // forgotten after two minutes
}

}  // namespace msocket::transport
