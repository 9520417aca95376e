#include "wire/record.hpp"

namespace msocket::wire {

void write_record_header(std::size_t plaintext_size, std::span<std::byte> out) {
  for (std::size_t i = 0; i < kRecordHeaderSize; ++i)
    out[i] = std::byte(plaintext_size >> (8 * (kRecordHeaderSize - 1 - i)));
}

result<std::size_t> record_size(std::span<const std::byte> in) {
  if (in.size() < kRecordHeaderSize) return errc::need_more;
  std::size_t length = 0;
  for (std::size_t i = 0; i < kRecordHeaderSize; ++i) length = (length << 8) | std::to_integer<std::size_t>(in[i]);
  // Bound it before waiting for the body, as frames are (§2).
  if (length > kMaxRecordPlaintext) return errc::bad_frame;
  return kRecordOverhead + length;
}

}  // namespace msocket::wire
