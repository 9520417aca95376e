// A relay's control message as either end receives one (docs/protocol.md
// §5): the 2-byte length is read by proxy::body_length, the body by
// proxy::decode. A message that decodes must survive encode -> decode
// unchanged in meaning (its encoding decodes to the same encoding), and
// never be longer than the protocol allows.
#include <string_view>

#include "check.hpp"
#include "proxy/control_message.hpp"

using namespace msocket;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto bytes = fuzz::bytes_of(data, size);
  if (bytes.size() >= proxy::kLengthSize) {
    const auto length = proxy::body_length(bytes.first<proxy::kLengthSize>());
    FUZZ_CHECK(!length || (*length > 0 && *length <= proxy::kMaxMessage));
  }
  const auto message = proxy::decode(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!message) {
    FUZZ_CHECK(message.error() == errc::bad_frame);
    return 0;
  }
  const auto encoded = proxy::encode(*message);
  FUZZ_CHECK(encoded.size() > proxy::kLengthSize);
  const auto body = std::string_view(encoded).substr(proxy::kLengthSize);
  const auto again = proxy::decode(body);
  FUZZ_CHECK(again);
  FUZZ_CHECK(proxy::encode(*again) == encoded);
  FUZZ_CHECK(again->index() == message->index());
  return 0;
}
