// RecvBuffer: reassembly, duplicates, the window and the FIN (§3.2, §3.4).
#include <catch2/catch.hpp>

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

}  // namespace msocket::session
