// std::byte spans as libsodium's unsigned char pointers. Internal to the
// session layer, which is where libsodium is used.
#pragma once

#include <cstddef>

namespace msocket::session {

inline unsigned char* sodium_bytes(std::byte* p) { return reinterpret_cast<unsigned char*>(p); }
inline const unsigned char* sodium_bytes(const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); }

}  // namespace msocket::session
