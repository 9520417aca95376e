#include <catch2/catch.hpp>

#include "proxy/control_message.hpp"

using namespace msocket;
using namespace msocket::proxy;

namespace {

std::string body_of(const Message& m) { return encode(m).substr(kLengthSize); }

template <class T>
T round_trip(const T& message) {
  const auto decoded = decode(body_of(message));
  REQUIRE(decoded.has_value());
  REQUIRE(std::holds_alternative<T>(*decoded));
  return std::get<T>(*decoded);
}

}  // namespace

TEST_CASE("relay control: every message survives encode and decode", "[proxy]") {
  const auto nonce = random_nonce();
  const auto token = random_token();
  CHECK(round_trip(Hello{}).version == kProtocolVersion);
  const auto challenge = round_trip(Challenge{nonce, 30, 1024});
  CHECK((challenge.nonce == nonce && challenge.ttl == 30 && challenge.max_flows == 1024));
  const auto key = names::generate_signing_key();
  const auto reserve = round_trip(make_reserve(nonce, "phone.example", key));
  CHECK((reserve.name == "phone.example" && reserve.key == key.public_key));
  const auto reserved = round_trip(Reserved{"[2001:db8::1]:40000", 30});
  CHECK((reserved.address == "[2001:db8::1]:40000" && reserved.ttl == 30));
  for (auto reason : {Refusal::full, Refusal::not_owner, Refusal::limited, Refusal::draining, Refusal::malformed}) {
    const auto refused = round_trip(Refused{reason, "because"});
    CHECK((refused.reason == reason && refused.message == "because"));
  }
  round_trip(Renew{});
  const auto open = round_trip(Open{(1ull << 60) + 3, token, "198.51.100.4:51000"});
  CHECK((open.flow == (1ull << 60) + 3 && open.token == token && open.client == "198.51.100.4:51000"));
  const auto join = round_trip(Join{5, token});
  CHECK((join.flow == 5 && join.token == token));
  round_trip(Drain{});
}

TEST_CASE("relay control: the length prefix is 1 to 2048 and matches the body", "[proxy]") {
  const auto framed = encode(Renew{});
  const auto length = body_length(std::as_bytes(std::span(framed.data(), kLengthSize)).first<kLengthSize>());
  REQUIRE(length.has_value());
  CHECK(*length == framed.size() - kLengthSize);
  const std::array<std::byte, 2> zero{}, too_long{std::byte{0x08}, std::byte{0x01}}, most{std::byte{0x08}, std::byte{0}};
  CHECK(body_length(zero).error() == errc::bad_frame);
  CHECK(body_length(too_long).error() == errc::bad_frame);
  CHECK(*body_length(most) == kMaxMessage);
}

TEST_CASE("relay control: anything but a well-formed message is bad_frame", "[proxy]") {
  const auto token = names::to_base64(std::span<const std::byte>(random_token()));
  for (std::string bad : {
           std::string("not json"),
           std::string("[1,2]"),
           std::string(R"({"version":1})"),                                  // no type
           std::string(R"({"type":"teleport"})"),                            // unknown type
           std::string(R"({"type":"hello","version":0})"),                   // no such version
           std::string(R"({"type":"hello","version":"1"})"),                 // wrong type
           std::string(R"({"type":"open","flow":-1,"token":")" + token + R"(","client":"x"})"),
           std::string(R"({"type":"join","flow":1,"token":"AAAA"})"),        // token of the wrong size
           std::string(R"({"type":"reserve","name":"bad name","key":"","signature":""})"),
           std::string(R"({"type":"reserved","address":"nowhere","ttl":30})"),
           std::string(R"({"type":"refused","reason":"tired","message":"x"})"),
           std::string(R"({"type":"challenge","nonce":"AAAA","ttl":30,"max_flows":1})"),
           std::string(R"({"type":"hello","version":1,"x":{"y":{"z":{"w":[1]}}}})"),  // too deep
           std::string(kMaxMessage + 1, ' '),
       }) {
    INFO(bad);
    const auto decoded = decode(bad);
    REQUIRE_FALSE(decoded.has_value());
    CHECK(decoded.error() == errc::bad_frame);
  }
}

TEST_CASE("relay control: a reservation verifies only for its nonce, name and key", "[proxy]") {
  const auto key = names::generate_signing_key();
  const auto other = names::generate_signing_key();
  const auto nonce = random_nonce();
  const auto reserve = make_reserve(nonce, "phone.example", key);
  CHECK(verify(reserve, nonce));
  CHECK_FALSE(verify(reserve, random_nonce()));  // replayed to another challenge
  auto renamed = reserve;
  renamed.name = "laptop.example";
  CHECK_FALSE(verify(renamed, nonce));
  auto rekeyed = reserve;
  rekeyed.key = other.public_key;
  CHECK_FALSE(verify(rekeyed, nonce));
}
