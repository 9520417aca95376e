// Encoding and decoding of frames (docs/protocol.md §2). Pure functions over
// byte spans: no I/O, no allocation, every length checked.
#pragma once

#include <cstddef>
#include <span>

#include "msocket/error.hpp"
#include "wire/frame.hpp"

namespace msocket::wire {

struct Decoded {
  Frame frame;
  std::size_t consumed = 0;  // bytes of the input the frame took
};

// Decodes the frame at the start of `in`.
// Errors: errc::need_more when `in` holds only part of a frame (read more and
// call again); errc::bad_frame for an unknown type, a non-zero reserved field,
// a wrong body length or an oversized payload; errc::bad_magic /
// errc::bad_version for a SETUP or SETUP_ACK of another protocol or version.
result<Decoded> decode(std::span<const std::byte> in);

// Size of the encoded frame, so callers can check room before encoding.
std::size_t encoded_size(const Frame& frame);

// Encodes `frame` into `out` and returns the bytes written, or 0 when `out`
// is too small (nothing is written then).
std::size_t encode(const Frame& frame, std::span<std::byte> out);

// Encodes only the header and fixed fields of a DATA frame whose payload the
// caller places right after (so payload bytes are copied once). Returns the
// bytes written (kDataPrefixSize) or 0 when `out` is too small.
inline constexpr std::size_t kDataPrefixSize = kHeaderSize + 24;
std::size_t encode_data_prefix(const DataFrame& frame, std::size_t payload_size,
                               std::span<std::byte> out);

// Bytes of a SETUP body that a MAC covers: the whole body with the MAC zeroed.
inline constexpr std::size_t kSetupBodySize =
    4 + 1 + 1 + 2 + 8 + 4 + 8 + 8 + 8 + 18 + kKeySize + kMacSize + 2 + kIdentityKeySize + kSignatureSize;
// The SETUP body of protocol v1, which had no cipher or identity fields:
// read only to tell a v1 peer that it is one (errc::bad_version).
inline constexpr std::size_t kSetupBodySizeV1 = 4 + 1 + 1 + 2 + 8 + 4 + 8 + 8 + 8 + 18 + kKeySize + kMacSize;
std::array<std::byte, kSetupBodySize> setup_body_for_mac(const Setup& setup);

// What a v2 listener answers to a v1 SETUP (§2.2): a SETUP_ACK of v1's size
// whose version is ours, so that the v1 peer reports "unsupported protocol
// version" instead of a silent close.
std::array<std::byte, kHeaderSize + kSetupBodySizeV1> version_answer();

}  // namespace msocket::wire
