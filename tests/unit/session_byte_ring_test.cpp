// ByteRing: a bounded window of the offset space that grows on demand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <vector>

#include "session/byte_ring.hpp"

namespace msocket::session {
namespace {

std::vector<std::byte> pattern(std::uint64_t offset, std::size_t n) {
  std::vector<std::byte> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>((offset + i) * 7 + 3);
  return out;
}

std::vector<std::byte> read(const ByteRing& ring, std::uint64_t offset, std::size_t n) {
  std::vector<std::byte> out(n);
  ring.read_at(offset, out);
  return out;
}

}  // namespace

TEST_CASE("ByteRing: writes and reads back, across the wrap", "[session]") {
  ByteRing ring(16, 16);
  ring.write_at(0, pattern(0, 10));
  CHECK(read(ring, 0, 10) == pattern(0, 10));
  ring.release_until(8);
  CHECK(ring.base() == 8);
  ring.write_at(10, pattern(10, 14));  // positions 10..15 then 0..7
  CHECK(read(ring, 8, 16) == pattern(8, 16));
  CHECK(ring.allocated() == 16);
}

TEST_CASE("ByteRing: grows on demand, never past its maximum", "[session]") {
  ByteRing ring(1000, 64);
  CHECK(ring.allocated() == 0);  // nothing before the first write
  ring.write_at(0, pattern(0, 64));
  CHECK(ring.allocated() == 64);
  ring.write_at(64, pattern(64, 1));
  CHECK(ring.allocated() == 128);
  ring.write_at(65, pattern(65, 935));  // up to the maximum, not a power of two
  CHECK(ring.allocated() == 1000);
  CHECK(read(ring, 0, 1000) == pattern(0, 1000));
  ByteRing small(10);  // the initial size is capped by the maximum
  small.write_at(0, pattern(0, 1));
  CHECK(small.allocated() == 10);
}

TEST_CASE("ByteRing: gives its storage back only while it holds nothing", "[session]") {
  ByteRing ring(1 << 20, 16);
  CHECK(ring.free_if_empty());  // never allocated
  ring.write_at(0, pattern(0, 40));
  ring.release_until(30);
  CHECK_FALSE(ring.free_if_empty());  // [30, 40) still held
  CHECK(ring.allocated() == 64);
  ring.release_until(40);
  CHECK(ring.free_if_empty());
  CHECK(ring.allocated() == 0);
  // The offsets go on where they were; the next write allocates again.
  ring.write_at(40, pattern(40, 20));
  CHECK(ring.allocated() == 16 * 2);
  CHECK(read(ring, 40, 20) == pattern(40, 20));
  // Written through writable_span too (16 bytes again; 60 lies at the
  // start, as the ring held nothing, so all 8 fit before the wrap).
  ring.release_until(60);
  REQUIRE(ring.free_if_empty());
  auto room = ring.writable_span(60, 8);
  REQUIRE(room.size() == 8);
  const auto bytes = pattern(60, 8);
  std::copy(bytes.begin(), bytes.end(), room.begin());
  ring.wrote_until(68);
  CHECK_FALSE(ring.free_if_empty());
  CHECK(ring.allocated() == 16);
  CHECK(read(ring, 60, 8) == pattern(60, 8));
}

TEST_CASE("ByteRing: growth keeps wrapped content", "[session]") {
  ByteRing ring(1 << 20, 16);
  ring.write_at(0, pattern(0, 12));
  ring.release_until(10);
  ring.write_at(12, pattern(12, 12));  // live [10, 24) wraps at 16
  // Growing now must re-lay [10, 24) so that the wrapped part survives.
  ring.write_at(24, pattern(24, 40));
  CHECK(ring.allocated() >= 54);
  CHECK(read(ring, 10, 54) == pattern(10, 54));

  SECTION("bytes written ahead of a hole survive growth too") {
    ring.write_at(100, pattern(100, 10));  // hole at [64, 100)
    ring.write_at(200, pattern(200, 10));  // grows again
    CHECK(read(ring, 10, 54) == pattern(10, 54));
    CHECK(read(ring, 100, 10) == pattern(100, 10));
    CHECK(read(ring, 200, 10) == pattern(200, 10));
  }
}

TEST_CASE("ByteRing: once it holds nothing, the next bytes go to its start", "[session]") {
  // A stream taken as fast as it comes reuses the first bytes of the
  // buffer (still in the cache) instead of walking all of it.
  ByteRing ring(1 << 20, 64);
  const auto start = ring.writable_span(0, 64).data();
  ring.write_at(0, pattern(0, 40));
  ring.release_until(30);  // [30, 40) still kept: no move
  ring.write_at(40, pattern(40, 10));
  CHECK(ring.readable_span(40, 10).data() == start + 40);
  ring.release_until(50);  // nothing kept
  CHECK(ring.writable_span(50, 10).data() == start);
  ring.write_at(50, pattern(50, 60));  // laid from the new start
  CHECK(read(ring, 50, 60) == pattern(50, 60));
  ring.write_at(110, pattern(110, 100));  // grows, keeping [50, 110)
  CHECK(read(ring, 50, 160) == pattern(50, 160));
}

TEST_CASE("ByteRing: a ring of several huge pages keeps its bytes across growth and wrap", "[session]") {
  // Past 2 MiB the storage is aligned for huge pages (ring_memory.hpp) and
  // not zeroed: every byte read must be one written.
  ByteRing ring(8 << 20, 1 << 20);
  const std::size_t chunk = 700 * 1000;
  std::uint64_t offset = 0;
  for (int i = 0; i < 30; ++i, offset += chunk) {
    ring.write_at(offset, pattern(offset, chunk));
    if (offset >= 3 * chunk) ring.release_until(offset - 3 * chunk);
    REQUIRE(read(ring, ring.base(), offset + chunk - ring.base()) == pattern(ring.base(), offset + chunk - ring.base()));
  }
  CHECK(ring.allocated() == 4 << 20);
  RingMemory none;
  CHECK(none.empty());
  RingMemory large(3 << 20);
  CHECK(large.size() == 3 << 20);
  if (large.own_mapping()) CHECK(reinterpret_cast<std::uintptr_t>(large.data()) % (2 << 20) == 0);
  CHECK_FALSE(RingMemory(1 << 20).own_mapping());
  large.swap(none);
  CHECK(large.empty());
  CHECK(none.size() == 3 << 20);
}

TEST_CASE("ByteRing: matches a map under random writes and releases", "[session]") {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 100; ++round) {
    const std::size_t max = 50 + rng() % 500;
    ByteRing ring(max, 1 + rng() % 64);
    std::map<std::uint64_t, std::byte> model;
    std::uint64_t base = 0;
    for (int op = 0; op < 200; ++op) {
      if (rng() % 4 == 0) {
        base += rng() % (max / 2);
        ring.release_until(base);
        model.erase(model.begin(), model.lower_bound(base));
        continue;
      }
      const std::uint64_t offset = base + rng() % max;
      const std::size_t n = rng() % (base + max - offset + 1);
      const auto bytes = pattern(offset * 31 + round, n);
      ring.write_at(offset, bytes);
      for (std::size_t i = 0; i < n; ++i) model[offset + i] = bytes[i];
      REQUIRE(ring.allocated() <= max);
      const bool all_there = std::all_of(model.begin(), model.end(), [&](const auto& entry) {
        return read(ring, entry.first, 1)[0] == entry.second;
      });
      REQUIRE(all_there);
    }
  }
}

}  // namespace msocket::session
