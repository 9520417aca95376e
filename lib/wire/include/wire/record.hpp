// The record layer of protocol v2 (docs/protocol.md §2.9): after the SETUP
// exchange of an encrypted connection, each direction of a flowpath is a
// sequence of records, each holding whole frames, sealed by AEAD:
//
//   +----------------------+-------------------------+-----------+
//   | plaintext length u32 | ciphertext (that long)  | tag (16)  |
//   +----------------------+-------------------------+-----------+
//
// The length is the associated data. Framing only: the sealing is
// session/record_cipher.hpp's.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "msocket/error.hpp"
#include "wire/codec.hpp"

namespace msocket::wire {

inline constexpr std::size_t kRecordHeaderSize = 4;
inline constexpr std::size_t kRecordTagSize = 16;
inline constexpr std::size_t kRecordOverhead = kRecordHeaderSize + kRecordTagSize;
// A record holds at least one frame of the largest size, and no more: a
// reader never buffers more than this to open one.
inline constexpr std::size_t kMaxRecordPlaintext = kDataPrefixSize + kMaxPayload;
inline constexpr std::size_t kMaxRecordSize = kMaxRecordPlaintext + kRecordOverhead;

void write_record_header(std::size_t plaintext_size, std::span<std::byte> out);

// The size of the whole record at the start of `in` (header, ciphertext,
// tag). Errors: errc::need_more without a whole header; errc::bad_frame for
// a length over kMaxRecordPlaintext.
result<std::size_t> record_size(std::span<const std::byte> in);

}  // namespace msocket::wire
