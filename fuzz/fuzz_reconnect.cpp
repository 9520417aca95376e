// wire::decode_reconnect on arbitrary datagrams (the UDP control socket, §2.7):
// a datagram that decodes must encode back to itself, and the bytes its MAC
// covers must be its body with the MAC zeroed.
#include <algorithm>

#include "check.hpp"
#include "wire/reconnect.hpp"

using namespace msocket;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto datagram = fuzz::bytes_of(data, size);
  const auto decoded = wire::decode_reconnect(datagram);
  if (!decoded) {
    const auto ec = decoded.error();
    FUZZ_CHECK(ec == errc::bad_frame || ec == errc::bad_magic || ec == errc::bad_version);
    return 0;
  }
  FUZZ_CHECK(size == wire::kReconnectFrameSize);
  const auto encoded = wire::encode(*decoded);
  FUZZ_CHECK(std::equal(encoded.begin(), encoded.end(), datagram.begin()));
  const auto body = wire::reconnect_body_for_mac(*decoded);
  const auto expected = datagram.subspan(wire::kHeaderSize);
  FUZZ_CHECK(std::equal(body.begin(), body.end() - wire::kMacSize, expected.begin()));
  FUZZ_CHECK(std::all_of(body.end() - wire::kMacSize, body.end(), [](std::byte b) { return b == std::byte{0}; }));
  const auto again = wire::decode_reconnect(encoded);
  FUZZ_CHECK(again && *again == *decoded);
  return 0;
}
