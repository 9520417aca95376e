// What the harnesses of fuzz/ share: the entry point libFuzzer calls, and a
// check that stays on in every build type (assert() is gone under NDEBUG)
// and aborts, which libFuzzer reports as a crash with the input that made it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

#define FUZZ_CHECK(condition)                                                               \
  do {                                                                                      \
    if (!(condition)) {                                                                     \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #condition);  \
      std::abort();                                                                         \
    }                                                                                       \
  } while (false)

namespace msocket::fuzz {

inline std::span<const std::byte> bytes_of(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const std::byte*>(data), size};
}

}  // namespace msocket::fuzz
