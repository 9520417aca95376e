// wire::decode on arbitrary bytes, read as a flowpath's byte stream: frame
// after frame until the first error. Every frame decoded must encode back to
// exactly the bytes it came from (the encoding is canonical: reserved fields
// and unknown flags are refused, so no two byte strings decode alike), its
// encoded_size must be what decode consumed, and every shorter prefix must
// ask for more bytes rather than fail or succeed.
#include <algorithm>
#include <cstring>
#include <vector>

#include "check.hpp"
#include "wire/codec.hpp"

namespace {

using namespace msocket;

bool expected_error(const boost::system::error_code& ec) {
  return ec == errc::need_more || ec == errc::bad_frame || ec == errc::bad_magic || ec == errc::bad_version;
}

void check_round_trip(std::span<const std::byte> in, const wire::Decoded& decoded) {
  FUZZ_CHECK(decoded.consumed >= wire::kHeaderSize && decoded.consumed <= in.size());
  FUZZ_CHECK(wire::encoded_size(decoded.frame) == decoded.consumed);
  std::vector<std::byte> out(decoded.consumed);
  FUZZ_CHECK(wire::encode(decoded.frame, out) == decoded.consumed);
  FUZZ_CHECK(std::equal(out.begin(), out.end(), in.begin()));
  // Too small a buffer: nothing written.
  std::vector<std::byte> small(decoded.consumed - 1);
  FUZZ_CHECK(wire::encode(decoded.frame, small) == 0);
  // A MAC covers the SETUP body with the MAC zeroed (§2.1).
  if (const auto* setup = std::get_if<wire::SetupFrame>(&decoded.frame)) {
    auto body = wire::setup_body_for_mac(*setup);
    auto expected = in.subspan(wire::kHeaderSize, wire::kSetupBodySize);
    FUZZ_CHECK(std::equal(body.begin(), body.end() - wire::kMacSize, expected.begin()));
    FUZZ_CHECK(std::all_of(body.end() - wire::kMacSize, body.end(), [](std::byte b) { return b == std::byte{0}; }));
  }
  // Cut short anywhere, the same frame needs more bytes.
  for (std::size_t cut : {std::size_t{0}, wire::kHeaderSize - 1, wire::kHeaderSize, decoded.consumed - 1}) {
    if (cut >= decoded.consumed) continue;
    const auto prefix = wire::decode(in.first(cut));
    FUZZ_CHECK(!prefix && prefix.error() == errc::need_more);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto in = fuzz::bytes_of(data, size);
  while (!in.empty()) {
    const auto decoded = wire::decode(in);
    if (!decoded) {
      FUZZ_CHECK(expected_error(decoded.error()));
      break;
    }
    check_round_trip(in, *decoded);
    in = in.subspan(decoded->consumed);
  }
  return 0;
}
