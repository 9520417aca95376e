// ArrivalBitmap: out-of-order arrivals as bits, runs across words, growth.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "session/arrival_bitmap.hpp"

namespace msocket::session {

TEST_CASE("ArrivalBitmap: a run is cleared up to the first gap", "[session]") {
  ArrivalBitmap bits(1000);
  CHECK(bits.allocated() == 0);  // nothing marked, nothing held
  CHECK(bits.clear_through_run(0, 10) == 10);
  bits.mark(0, 20, 30);
  bits.mark(0, 30, 35);
  bits.mark(0, 40, 50);
  CHECK(bits.max_end() == 50);
  CHECK(bits.clear_through_run(0, 10) == 10);  // 10 is not marked
  CHECK(bits.clear_through_run(10, 20) == 35);
  CHECK(bits.clear_through_run(35, 40) == 50);
  CHECK(bits.clear_through_run(50, 60) == 60);
}

TEST_CASE("ArrivalBitmap: runs that cross word boundaries", "[session]") {
  ArrivalBitmap bits(1000);
  bits.mark(0, 1, 64);     // to the end of the first word
  bits.mark(0, 64, 128);   // a whole word
  bits.mark(0, 128, 200);  // into the fourth
  bits.mark(0, 300, 301);
  CHECK(bits.clear_through_run(0, 1) == 200);
  CHECK(bits.clear_through_run(200, 299) == 299);
  CHECK(bits.clear_through_run(299, 300) == 301);
}

TEST_CASE("ArrivalBitmap: clearing forgets marks below the run", "[session]") {
  ArrivalBitmap bits(1000);
  bits.mark(0, 5, 10);
  bits.mark(0, 12, 20);
  // [0, 15) arrived in order over the marks: the run continues from 15.
  CHECK(bits.clear_through_run(0, 15) == 20);
  // Offsets 5..19 are clear now; the ring reuses their bits a window later.
  bits.mark(20, 1005, 1010);
  CHECK(bits.clear_through_run(20, 1005) == 1010);
}

TEST_CASE("ArrivalBitmap: growth keeps every mark in place", "[session]") {
  ArrivalBitmap bits(1 << 20);
  bits.mark(100, 150, 160);
  const auto small = bits.allocated();
  CHECK(small > 0);
  CHECK(small < 4096);
  bits.mark(100, 500000, 500010);  // far ahead: the ring grows
  CHECK(bits.allocated() > small);
  CHECK(bits.allocated() <= (1 << 20) / 8 + 16);
  CHECK(bits.clear_through_run(100, 150) == 160);
  CHECK(bits.clear_through_run(160, 500000) == 500010);
}

TEST_CASE("ArrivalBitmap: agrees with a reference under random use", "[session]") {
  constexpr std::uint64_t kSpan = 5000;
  std::mt19937_64 random(7);
  ArrivalBitmap bits(kSpan);
  std::vector<bool> reference(200000, false);
  std::uint64_t low = 0;
  while (low + kSpan < reference.size()) {
    const std::uint64_t begin = low + 1 + random() % (kSpan - 1);
    const std::uint64_t end = std::min(low + kSpan, begin + 1 + random() % 300);
    bits.mark(low, begin, end);
    for (auto o = begin; o < end; ++o) reference[o] = true;
    if (random() % 4 == 0) {
      // Bytes [low, to) arrive in order; the run beyond follows.
      const std::uint64_t to = low + random() % 400;
      std::uint64_t expected = to;
      while (reference[expected]) ++expected;
      REQUIRE(bits.clear_through_run(low, to) == expected);
      for (auto o = low; o < expected; ++o) reference[o] = false;
      low = expected;
    }
  }
  REQUIRE(bits.allocated() <= kSpan / 8 + 16);
}

}  // namespace msocket::session
