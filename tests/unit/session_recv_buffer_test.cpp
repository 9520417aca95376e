// RecvBuffer: reassembly, duplicates, the window and the FIN (§3.2, §3.4).
#include <catch2/catch.hpp>

#include <malloc.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "session/recv_buffer.hpp"
#include "session_pair.hpp"

namespace msocket::session {
namespace {

using test::text;

std::string read_all(RecvBuffer& buffer, std::size_t max = 1 << 20) {
  std::vector<std::byte> out(max);
  const auto n = buffer.read(out);
  return std::string(reinterpret_cast<const char*>(out.data()), n);
}

// Bytes the heap holds now (glibc): what the buffer really costs, whatever
// its own accounting says.
std::size_t heap_in_use() {
  const auto info = ::mallinfo2();
  return info.uordblks + info.hblkhd;
}

std::vector<std::byte> random_stream(std::size_t size, std::mt19937_64& random) {
  std::vector<std::byte> bytes(size);
  for (auto& b : bytes) b = static_cast<std::byte>(random());
  return bytes;
}

struct Segment {
  std::uint64_t offset;
  std::size_t size;
};

}  // namespace

TEST_CASE("RecvBuffer: in-order bytes are readable at once", "[session]") {
  RecvBuffer b(100);
  CHECK(b.ack() == 0);
  CHECK(b.window() == 100);
  REQUIRE_FALSE(b.insert(0, text("hello")));
  CHECK(b.readable() == 5);
  CHECK(b.ack() == 5);
  CHECK(read_all(b, 3) == "hel");
  CHECK(b.window() == 103);  // reading opens the window
  CHECK(read_all(b) == "lo");
  CHECK(b.readable() == 0);
  CHECK(read_all(b).empty());
}

TEST_CASE("RecvBuffer: out-of-order bytes wait for the hole", "[session]") {
  RecvBuffer b(100);
  REQUIRE_FALSE(b.insert(10, text("klmno")));
  REQUIRE_FALSE(b.insert(5, text("fghij")));
  CHECK(b.ack() == 0);
  CHECK(b.readable() == 0);
  REQUIRE_FALSE(b.insert(0, text("abcde")));
  CHECK(b.ack() == 15);
  CHECK(read_all(b) == "abcdefghijklmno");
}

TEST_CASE("RecvBuffer: duplicates and overlaps are harmless", "[session]") {
  RecvBuffer b(100);
  REQUIRE_FALSE(b.insert(0, text("abcdef")));
  REQUIRE_FALSE(b.insert(0, text("abcdef")));  // exact duplicate
  REQUIRE_FALSE(b.insert(3, text("defghi")));  // overlaps the end
  CHECK(b.ack() == 9);
  REQUIRE_FALSE(b.insert(12, text("mn")));
  REQUIRE_FALSE(b.insert(11, text("lmno")));  // overlaps a range beyond
  REQUIRE_FALSE(b.insert(12, text("mn")));
  CHECK(b.ack() == 9);
  REQUIRE_FALSE(b.insert(8, text("ijk")));
  CHECK(b.ack() == 15);
  CHECK(read_all(b) == "abcdefghijklmno");
  REQUIRE_FALSE(b.insert(2, text("cdefg")));  // already read: ignored
  CHECK(b.readable() == 0);
  CHECK(b.ack() == 15);
}

TEST_CASE("RecvBuffer: bytes at or past the window are refused", "[session]") {
  RecvBuffer b(10);
  CHECK(b.insert(5, text("abcdef")) == errc::peer_ahead);  // last byte at offset 10
  CHECK(b.insert(10, text("x")) == errc::peer_ahead);
  REQUIRE_FALSE(b.insert(5, text("abcde")));  // up to the window exactly
  REQUIRE_FALSE(b.insert(0, text("01234")));
  CHECK(b.ack() == 10);
  CHECK(read_all(b, 4) == "0123");
  CHECK(b.window() == 14);
  REQUIRE_FALSE(b.insert(10, text("wxyz")));
  CHECK(b.insert(14, text("!")) == errc::peer_ahead);
  CHECK(read_all(b) == "4abcdewxyz");
  // Offsets that wrap the 64-bit space are malformed, not merely ahead.
  CHECK(b.insert(~std::uint64_t{0} - 1, text("abc")) == errc::bad_frame);
}

TEST_CASE("RecvBuffer: the FIN", "[session]") {
  RecvBuffer b(100);
  REQUIRE_FALSE(b.insert(0, text("abc")));

  SECTION("in order: acked as one more offset, then EOF once read") {
    REQUIRE_FALSE(b.set_fin(3));
    CHECK(b.fin_received());
    CHECK(b.ack() == 4);
    CHECK_FALSE(b.eof());
    CHECK(read_all(b) == "abc");
    CHECK(b.eof());
    CHECK_FALSE(b.set_fin(3));  // the same FIN again (re-sent after a move)
  }
  SECTION("ahead of a hole: not acked until the hole fills") {
    REQUIRE_FALSE(b.set_fin(6));
    CHECK_FALSE(b.fin_received());
    CHECK(b.ack() == 3);
    REQUIRE_FALSE(b.insert(3, text("def")));
    CHECK(b.fin_received());
    CHECK(b.ack() == 7);
  }
  SECTION("bytes past the FIN are refused") {
    REQUIRE_FALSE(b.set_fin(5));
    CHECK(b.insert(4, text("xy")) == errc::bad_frame);
    CHECK(b.insert(5, text("x")) == errc::bad_frame);
    REQUIRE_FALSE(b.insert(3, text("de")));  // ends at the FIN exactly
    CHECK(b.ack() == 6);
  }
  SECTION("a FIN that contradicts what arrived") {
    CHECK(b.set_fin(2) == errc::bad_frame);  // before bytes already received
    REQUIRE_FALSE(b.insert(10, text("k")));
    CHECK(b.set_fin(8) == errc::bad_frame);  // before bytes received beyond
    REQUIRE_FALSE(b.set_fin(11));
    CHECK(b.set_fin(12) == errc::bad_frame);  // a second, different FIN
  }
  SECTION("a FIN past the window") {
    CHECK(b.set_fin(101) == errc::peer_ahead);
    REQUIRE_FALSE(b.set_fin(100));  // the FIN needs no buffer space
  }
}

TEST_CASE("RecvBuffer: a peer that fragments the window costs no more than the window",
          "[session]") {
  // One byte at every other offset below a 4 MiB window: with a node per
  // out-of-order range this took over 100 MiB.
  constexpr std::size_t kWindow = 4 << 20;
  std::mt19937_64 random(1);
  const auto stream = random_stream(kWindow, random);
  const auto heap_before = heap_in_use();
  RecvBuffer b(kWindow);
  for (std::uint64_t offset = 1; offset < kWindow; offset += 2)
    REQUIRE_FALSE(b.insert(offset, std::span(stream).subspan(offset, 1)));
  const auto heap_used = heap_in_use() - heap_before;
  INFO("allocated " << b.allocated() << " heap " << heap_used << " window " << kWindow);
  CHECK(b.ack() == 0);
  CHECK(b.allocated() <= kWindow + kWindow / 8 + 16);
  CHECK(heap_used <= kWindow + kWindow / 8 + 64 * 1024);
  WARN("alternating bytes over a " << kWindow << "-byte window: buffer holds " << b.allocated()
                                   << " bytes, heap grew by " << heap_used);

  // The gaps fill in a random order; the stream comes out exact.
  std::vector<std::uint64_t> gaps;
  for (std::uint64_t offset = 0; offset < kWindow; offset += 2) gaps.push_back(offset);
  std::shuffle(gaps.begin(), gaps.end(), random);
  for (const auto offset : gaps) REQUIRE_FALSE(b.insert(offset, std::span(stream).subspan(offset, 1)));
  CHECK(b.ack() == kWindow);
  std::vector<std::byte> out(kWindow);
  REQUIRE(b.read(out) == kWindow);
  CHECK(out == stream);
}

TEST_CASE("RecvBuffer: segments in random order, overlapping and twice, come out exact",
          "[session]") {
  constexpr std::size_t kWindow = 64 * 1024;
  constexpr std::size_t kStream = 1 << 20;  // 16 windows: the ring and the bits wrap
  std::mt19937_64 random(GENERATE(1, 2, 3));
  const auto stream = random_stream(kStream, random);
  std::vector<Segment> pending;
  for (std::uint64_t offset = 0; offset < kStream;) {
    const std::size_t size = std::min<std::uint64_t>(kStream - offset, 1 + random() % 3000);
    pending.push_back({offset, size});
    offset += size;
  }
  RecvBuffer b(kWindow);
  std::vector<std::byte> received;
  std::vector<std::byte> out(kWindow);
  std::size_t next = 0;  // pending[next..] not yet sent once
  while (received.size() < kStream) {
    // One of the next few segments that fit the window, or a re-send that
    // overlaps what came already (past the read offset or not).
    std::size_t fitting = 0;
    while (next + fitting < pending.size() && fitting < 32 &&
           pending[next + fitting].offset + pending[next + fitting].size <= b.window())
      ++fitting;
    if (fitting > 0 && random() % 8 != 0) {
      std::swap(pending[next], pending[next + random() % fitting]);
      const auto segment = pending[next++];
      REQUIRE_FALSE(b.insert(segment.offset, std::span(stream).subspan(segment.offset, segment.size)));
    } else if (b.read_offset() > 0 || b.ack() > 0) {
      const std::uint64_t offset = b.read_offset() - std::min<std::uint64_t>(b.read_offset(), random() % 500);
      const std::uint64_t end = std::min<std::uint64_t>(b.window(), offset + 1 + random() % 4000);
      if (end > offset) REQUIRE_FALSE(b.insert(offset, std::span(stream).subspan(offset, end - offset)));
    }
    if (random() % 3 == 0 || fitting == 0) {
      const auto n = b.read(std::span(out).first(1 + random() % kWindow));
      received.insert(received.end(), out.begin(), out.begin() + static_cast<std::ptrdiff_t>(n));
    }
    REQUIRE(b.allocated() <= kWindow + kWindow / 8 + 16);
  }
  CHECK(received == stream);
}

}  // namespace msocket::session
