// gather_pieces, fill_payloads and write_pieces_now: frames whose payloads
// stay in another buffer reach the socket byte for byte, whether the socket
// takes them whole or in part.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <numeric>
#include <vector>

#include "transport/gathered_write.hpp"

namespace msocket::transport {

namespace {

using Bytes = std::vector<std::byte>;

// Frames of 3 prefix bytes and a payload each, the second payload split as
// where a ring wraps; `frames` holds the prefixes and 0xEE in the payloads'
// places, `whole` what must reach the socket.
struct Fixture {
  Bytes ring = Bytes(64);
  Bytes frames;
  Bytes whole;
  std::vector<session::PayloadRef> payloads;

  Fixture() {
    for (std::size_t i = 0; i < ring.size(); ++i) ring[i] = std::byte(i + 1);
    const std::span<const std::byte> r(ring);
    // {prefix byte, first slice, second slice}
    add(std::byte{0xA1}, r.subspan(10, 5), {});
    add(std::byte{0xA2}, r.subspan(60, 4), r.subspan(0, 6));  // wraps
    add(std::byte{0xA3}, {}, {});                             // a FIN: no payload
    add(std::byte{0xA4}, r.subspan(20, 1), {});
    frames.push_back(std::byte{0xB0});  // a control frame after the data
    whole.push_back(std::byte{0xB0});
    // `at` only now: `frames` no longer moves.
    std::size_t at = 0;
    for (auto& p : payloads) {
      at += 3;
      p.at = frames.data() + at;
      at += p.size();
    }
  }
  void add(std::byte tag, std::span<const std::byte> first, std::span<const std::byte> second) {
    for (int i = 0; i < 3; ++i) {
      frames.push_back(tag);
      whole.push_back(tag);
    }
    frames.insert(frames.end(), first.size() + second.size(), std::byte{0xEE});
    whole.insert(whole.end(), first.begin(), first.end());
    whole.insert(whole.end(), second.begin(), second.end());
    payloads.push_back({nullptr, first, second});
  }
};

Bytes joined(const std::vector<iovec>& pieces) {
  Bytes out;
  for (const auto& piece : pieces) {
    const auto* p = static_cast<const std::byte*>(piece.iov_base);
    out.insert(out.end(), p, p + piece.iov_len);
  }
  return out;
}

}  // namespace

TEST_CASE("gathered write: the pieces are the frames with their payloads", "[transport]") {
  Fixture f;
  std::vector<iovec> pieces;
  gather_pieces(f.frames, f.payloads, pieces);
  CHECK(joined(pieces) == f.whole);
  for (const auto& piece : pieces) CHECK(piece.iov_len > 0);
  // Without payloads: the frames as one piece.
  const Bytes control{std::byte{1}, std::byte{2}};
  gather_pieces(control, {}, pieces);
  REQUIRE(pieces.size() == 1);
  CHECK(joined(pieces) == control);
}

TEST_CASE("gathered write: payloads filled in from any byte on", "[transport]") {
  const Fixture reference;
  for (std::size_t from = 0; from <= reference.frames.size(); ++from) {
    Fixture f;
    fill_payloads(f.frames, f.payloads, from);
    INFO("from " << from);
    // Bytes before `from` are left alone; from `from` on they are the stream's.
    CHECK(std::equal(f.frames.begin(), f.frames.begin() + from, reference.frames.begin()));
    CHECK(std::equal(f.frames.begin() + from, f.frames.end(), reference.whole.begin() + from));
  }
}

TEST_CASE("gathered write: a short write finishes from the frame buffer", "[transport]") {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
  Fixture f;
  // A large stream so that the socket fills: the fixture's frames, repeated.
  Bytes frames, whole;
  std::vector<session::PayloadRef> payloads;
  constexpr int kCopies = 20000;
  frames.reserve(f.frames.size() * kCopies);
  for (int i = 0; i < kCopies; ++i) {
    const auto base = static_cast<std::ptrdiff_t>(frames.size());
    frames.insert(frames.end(), f.frames.begin(), f.frames.end());
    whole.insert(whole.end(), f.whole.begin(), f.whole.end());
    for (auto p : f.payloads) {
      p.at = frames.data() + base + (p.at - f.frames.data());
      payloads.push_back(p);
    }
  }
  std::vector<iovec> pieces;
  gather_pieces(frames, payloads, pieces);
  boost::system::error_code ec;
  const std::size_t done = write_pieces_now(fds[0], pieces, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(done < frames.size());  // the socket buffer is smaller than the stream
  fill_payloads(frames, payloads, done);
  Bytes got(whole.size());
  std::size_t have = 0, written = done;
  while (have < got.size()) {
    if (written < frames.size()) {
      const auto n = ::send(fds[0], frames.data() + written, frames.size() - written, MSG_DONTWAIT);
      if (n > 0) written += static_cast<std::size_t>(n);
    }
    const auto n = ::recv(fds[1], got.data() + have, got.size() - have, MSG_DONTWAIT);
    if (n > 0) have += static_cast<std::size_t>(n);
  }
  CHECK(got == whole);
  // A closed peer is an error, not SIGPIPE.
  ::close(fds[1]);
  write_pieces_now(fds[0], pieces, ec);
  CHECK(ec == boost::system::errc::broken_pipe);
  ::close(fds[0]);
}

}  // namespace msocket::transport
