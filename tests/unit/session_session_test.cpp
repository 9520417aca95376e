// Session (docs/protocol.md §3): establishment, data, flow control, half-close,
// keepalive, linger and peer violations, driven by hand with a fake clock
// (session_pair.hpp).
#include <catch2/catch.hpp>

#include <algorithm>

#include "session_pair.hpp"

namespace msocket::session {

using namespace test;
using namespace std::chrono_literals;

TEST_CASE("session: establishment through add_path", "[session]") {
  Pair t;
  CHECK_FALSE(t.client.has_live_path());
  CHECK(t.client.state() == State::established);
  // With no path the only deadline is the linger limit.
  CHECK(t.client.next_deadline() == t.now + t.config.linger);
  t.connect(kPath1);
  CHECK(t.client.live_paths() == std::vector<PathId>{kPath1});
  CHECK(t.server.live_paths() == std::vector<PathId>{kPath1});
  CHECK(t.client.counters().paths_opened == 1);
  CHECK(t.client.recv_window() == t.config.recv_buffer);
  // Nothing is due on a fresh path: no data, no ack, the first ping later.
  CHECK(poll_all(t.client, kPath1, t.now).empty());
  CHECK(t.client.next_deadline() == t.now + t.config.keepalive_interval);
  // A path the session does not know carries nothing.
  std::array<std::byte, 256> buffer;
  CHECK(t.client.poll_transmit(kPath2, buffer, t.now) == 0);
}

TEST_CASE("session: data both ways", "[session]") {
  Config config;
  config.recv_buffer = 64 * 1024;
  config.send_buffer = 100 * 1000;
  config.chunk_size = 5000;
  Pair t(config);
  t.connect(kPath1);
  const Bytes up = pattern(1 << 20, 1), down = pattern(700 * 1000, 2);
  Bytes got_up, got_down;
  std::size_t sent_up = 0, sent_down = 0;
  std::array<std::byte, 30000> buffer;
  for (int round = 0; round < 5000 && (got_up.size() < up.size() || got_down.size() < down.size());
       ++round) {
    sent_up += t.client.write(std::span(up).subspan(sent_up), t.now);
    sent_down += t.server.write(std::span(down).subspan(sent_down), t.now);
    t.exchange(kPath1);
    auto n = t.server.read(buffer, t.now);
    got_up.insert(got_up.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    n = t.client.read(buffer, t.now);
    got_down.insert(got_down.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    t.now += 3ms;
  }
  CHECK(got_up == up);
  CHECK(got_down == down);
  CHECK(t.client.counters().bytes_written == up.size());
  CHECK(t.server.counters().bytes_read == up.size());
  // Everything is acked, so the output buffers are empty again.
  t.now += 1s;
  t.exchange(kPath1);
  CHECK(t.client.writable() == config.send_buffer);
  CHECK(t.server.writable() == config.send_buffer);
}

TEST_CASE("session: the receive window bounds what is sent", "[session]") {
  Config config;
  config.recv_buffer = 4096;
  config.chunk_size = 1000;
  Pair t(config);
  t.connect(kPath1);
  REQUIRE(t.client.write(pattern(10000, 3), t.now) == 10000);
  const Bytes first = poll_all(t.client, kPath1, t.now);
  std::uint64_t highest = 0;
  for (const auto& d : only<wire::DataFrame>(frames_of(first)))
    highest = std::max(highest, d.offset + d.payload.size());
  CHECK(highest == 4096);
  CHECK(poll_all(t.client, kPath1, t.now).empty());  // the window is used up
  REQUIRE_FALSE(feed(t.server, kPath1, first, t.now));

  SECTION("a small read opens the window after the ack delay") {
    t.exchange(kPath1);
    std::array<std::byte, 100> small;
    t.now += 20ms;
    t.exchange(kPath1);  // acks for what arrived
    CHECK(t.server.read(small, t.now) == 100);
    CHECK(poll_all(t.server, kPath1, t.now).empty());  // a tenth of the window: not yet
    t.now += config.ack_delay;
    const auto update = frames_of(poll_all(t.server, kPath1, t.now));
    REQUIRE(only<wire::AckFrame>(update).size() == 1);
    CHECK(only<wire::AckFrame>(update)[0].window == 4096 + 100);
  }
  SECTION("a large read opens it at once") {
    std::array<std::byte, 2000> big;
    REQUIRE(t.server.read(big, t.now) == 2000);
    const auto update = frames_of(poll_all(t.server, kPath1, t.now));
    REQUIRE(only<wire::AckFrame>(update).size() == 1);
    CHECK(only<wire::AckFrame>(update)[0].window == 4096 + 2000);
  }
}

TEST_CASE("session: bytes put into and taken from the buffers where they lie", "[session]") {
  // write_space/commit_write and read_space/consume (a relay's path with no
  // copy of its own): the same stream as write and read, across the rings'
  // wrap, and never more than the buffers hold.
  Config config;
  config.recv_buffer = 40 * 1000;
  config.send_buffer = 30 * 1000;
  config.chunk_size = 7000;
  Pair t(config);
  t.connect(kPath1);
  const Bytes up = pattern(500 * 1000, 5);
  Bytes got;
  std::size_t sent = 0;
  for (int round = 0; round < 5000 && got.size() < up.size(); ++round) {
    // Odd sizes, so that spans end at the rings' wrap as well as short of it.
    const auto room = t.client.write_space(4999);
    CHECK(room.size() <= t.client.writable());
    const auto n = std::min(room.size(), up.size() - sent);
    std::copy_n(up.begin() + static_cast<std::ptrdiff_t>(sent), n, room.begin());
    t.client.commit_write(n, t.now);
    sent += n;
    t.exchange(kPath1);
    for (int i = 0; i < 3; ++i) {
      const auto bytes = t.server.read_space();
      CHECK(bytes.size() <= t.server.readable());
      const auto take = std::min<std::size_t>(bytes.size(), 3001);
      got.insert(got.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(take));
      t.server.consume(take, t.now);
    }
    t.now += 3ms;
  }
  CHECK(got == up);
  CHECK(t.client.counters().bytes_written == up.size());
  CHECK(t.server.counters().bytes_read == up.size());
  t.client.shutdown_write(t.now);
  CHECK(t.client.write_space(100).empty());  // nothing may follow the FIN
}

namespace {

// Everything `s` has to send on `path`, polled with payload references: the
// payloads' places must be left as they were, and the references, copied
// there, must make the frames whole. Counts the references that wrap.
Bytes poll_referred(Session& s, PathId path, TimePoint now, int& wrapped) {
  Bytes out;
  std::vector<std::byte> buffer(20 * 1000);
  std::vector<PayloadRef> payloads;
  for (int i = 0; i < 10000; ++i) {
    std::fill(buffer.begin(), buffer.end(), std::byte{0xEE});
    payloads.clear();
    const auto n = s.poll_transmit(path, buffer, now, &payloads);
    if (n == 0) return out;
    for (const auto& p : payloads) {
      REQUIRE(p.at >= buffer.data());
      REQUIRE(p.at + p.size() <= buffer.data() + n);
      CHECK(std::all_of(p.at, p.at + p.size(), [](std::byte b) { return b == std::byte{0xEE}; }));
      std::copy(p.first.begin(), p.first.end(), p.at);
      std::copy(p.second.begin(), p.second.end(), p.at + p.first.size());
      wrapped += !p.second.empty();
    }
    out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
  }
  FAIL("poll_transmit never ran dry");
  return out;
}

}  // namespace

TEST_CASE("session: payloads referred to in the output buffer instead of copied", "[session]") {
  // The same stream as poll_transmit's copies, across the ring's wrap, and
  // again after a move (the bytes the lost path held go on the new one).
  Config config;
  config.recv_buffer = 40 * 1000;
  config.send_buffer = 30 * 1000;
  config.chunk_size = 7000;
  Pair t(config);
  t.connect(kPath1);
  const Bytes up = pattern(400 * 1000, 9);
  Bytes got;
  std::size_t sent = 0;
  int wrapped = 0;
  PathId path = kPath1;
  for (int round = 0; round < 5000 && got.size() < up.size(); ++round) {
    sent += t.client.write(std::span(up).subspan(sent, std::min<std::size_t>(up.size() - sent, 4999)), t.now);
    const auto bytes = poll_referred(t.client, path, t.now, wrapped);
    if (round == 20) {
      // Lost on the way: the path fails and its bytes go again on another.
      t.client.path_down(path, t.now);
      t.server.path_down(path, t.now);
      path = kPath2;
      t.connect(path);
      continue;
    }
    REQUIRE_FALSE(feed(t.server, path, bytes, t.now));
    REQUIRE_FALSE(feed(t.client, path, poll_all(t.server, path, t.now), t.now));
    std::array<std::byte, 8000> buffer;
    const auto n = t.server.read(buffer, t.now);
    got.insert(got.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
    t.now += 3ms;
  }
  CHECK(got == up);
  CHECK(wrapped > 0);
}

TEST_CASE("session: write is limited by the output buffer", "[session]") {
  Config config;
  config.send_buffer = 1000;
  Pair t(config);
  t.connect(kPath1);
  const auto data = pattern(5000, 4);
  CHECK(t.client.write(data, t.now) == 1000);
  CHECK(t.client.writable() == 0);
  CHECK(t.client.write(std::span(data).subspan(1000), t.now) == 0);
  t.exchange(kPath1);
  CHECK(t.client.writable() == 0);  // sent, but not acked yet
  t.now += config.ack_delay;
  t.exchange(kPath1);
  CHECK(t.client.writable() == 1000);
  CHECK(t.client.write(std::span(data).subspan(1000), t.now) == 1000);
}

TEST_CASE("session: half-close", "[session]") {
  Pair t;
  t.connect(kPath1);
  REQUIRE(t.client.write(text("request"), t.now) == 7);
  t.client.shutdown_write(t.now);
  CHECK(t.client.write_closed());
  CHECK(t.client.write(text("more"), t.now) == 0);
  CHECK(t.client.writable() == 0);
  t.exchange(kPath1);
  CHECK(read_text(t.server, t.now) == "request");
  CHECK(t.server.read_eof());
  // The other direction still works.
  REQUIRE(t.server.write(text("reply"), t.now) == 5);
  t.exchange(kPath1);
  CHECK(read_text(t.client, t.now) == "reply");
  CHECK_FALSE(t.client.read_eof());
  CHECK(t.client.state() == State::established);
  CHECK(t.server.state() == State::established);
  t.now += 5s;
  REQUIRE(t.server.write(text("later"), t.now) == 5);
  t.exchange(kPath1);
  CHECK(read_text(t.client, t.now) == "later");
}

TEST_CASE("session: keepalive", "[session]") {
  Pair t;
  t.connect(kPath1);
  const auto start = t.now;

  SECTION("PING after the interval, PONG back, an RTT sample") {
    t.now += t.config.keepalive_interval;
    CHECK(t.client.next_deadline() <= t.now);
    const auto ping = only<wire::PingFrame>(frames_of(poll_all(t.client, kPath1, t.now)));
    REQUIRE(ping.size() == 1);
    REQUIRE_FALSE(t.server.on_frame(kPath1, ping[0], t.now));
    t.now += 30ms;
    const auto pong = only<wire::PongFrame>(frames_of(poll_all(t.server, kPath1, t.now)));
    REQUIRE(pong.size() == 1);
    CHECK(pong[0].token == ping[0].token);
    REQUIRE_FALSE(t.client.on_frame(kPath1, pong[0], t.now));
    REQUIRE(t.client.paths().at(kPath1).srtt);
    CHECK(*t.client.paths().at(kPath1).srtt == 30ms);
  }
  SECTION("a ping flood gets a bounded number of PONGs") {
    for (std::uint64_t i = 0; i < 100; ++i) REQUIRE_FALSE(t.server.on_frame(kPath1, wire::PingFrame{i}, t.now));
    CHECK(only<wire::PongFrame>(frames_of(poll_all(t.server, kPath1, t.now))).size() == 4);
  }
  SECTION("a silent path is declared dead") {
    // Keep pinging (the pings are lost) and run the timer at each deadline.
    for (int i = 0; i < 100 && t.client.has_live_path(); ++i) {
      const auto deadline = t.client.next_deadline();
      REQUIRE(deadline > t.now - 1ms);
      t.now = std::max(t.now, deadline);
      t.client.on_timer(t.now);
      (void)poll_all(t.client, kPath1, t.now);
    }
    CHECK(t.now == start + t.config.keepalive_timeout);
    CHECK_FALSE(t.client.has_live_path());
    CHECK(t.client.take_dead_paths() == std::vector<PathId>{kPath1});
    CHECK(t.client.take_dead_paths().empty());
    CHECK(t.client.state() == State::established);  // the connection lives on
    CHECK(t.client.next_deadline() == t.now + t.config.linger);
  }
}

TEST_CASE("session: linger expiry", "[session]") {
  Config config;
  config.linger = 1min;
  Pair t(config);
  t.connect(kPath1);
  t.now += 5s;
  t.client.path_down(kPath1, t.now);
  CHECK(t.client.next_deadline() == t.now + 1min);
  t.client.on_timer(t.now + 59s);
  CHECK(t.client.state() == State::established);
  t.client.on_timer(t.now + 1min);
  CHECK(t.client.state() == State::failed);
  CHECK(t.client.error() == errc::linger_expired);
  CHECK(t.client.done());
  CHECK(t.client.write(text("x"), t.now) == 0);
  CHECK(t.client.add_path(kPath2, 0, 100, t.now) == errc::connection_closed);

  SECTION("a new path in time stops the clock") {
    Pair u(config);
    u.now += 50s;
    u.connect(kPath1);
    u.client.on_timer(u.now + 1min);
    CHECK(u.client.state() == State::established);
  }
}

TEST_CASE("session: peer violations", "[session]") {
  Config config;
  config.recv_buffer = 1000;
  Pair t(config);
  t.connect(kPath1);
  REQUIRE(t.client.write(text("hello"), t.now) == 5);
  t.exchange(kPath1);

  SECTION("an ack for bytes never sent") {
    CHECK(t.server.on_frame(kPath1, wire::AckFrame{1, 5000}, t.now) == errc::peer_ahead);
    CHECK(t.client.on_frame(kPath1, wire::AckFrame{6, 5000}, t.now) == errc::peer_ahead);
    CHECK_FALSE(t.client.on_frame(kPath1, wire::AckFrame{5, 5000}, t.now));
    const Bytes one(1);
    CHECK(t.client.on_frame(kPath1, wire::DataFrame{0, 9, 5000, false, one}, t.now) == errc::peer_ahead);
    CHECK(t.client.add_path(kPath2, 6, 5000, t.now) == errc::peer_ahead);
  }
  SECTION("bytes past our window") {
    const Bytes one(1);
    CHECK(t.server.on_frame(kPath1, wire::DataFrame{1000, 0, 5000, false, one}, t.now) ==
          errc::peer_ahead);
    CHECK_FALSE(t.server.on_frame(kPath1, wire::DataFrame{999, 0, 5000, false, one}, t.now));
  }
  SECTION("a FIN that contradicts the stream") {
    CHECK(t.server.on_frame(kPath1, wire::DataFrame{2, 0, 5000, true, {}}, t.now) == errc::bad_frame);
  }
  SECTION("SETUP or SETUP_ACK after the handshake") {
    CHECK(t.server.on_frame(kPath1, wire::SetupFrame{}, t.now) == errc::bad_frame);
    CHECK(t.client.on_frame(kPath1, wire::SetupAckFrame{}, t.now) == errc::bad_frame);
    CHECK(t.server.state() == State::established);  // only the path is at fault
  }
  SECTION("frames on a path that is down are ignored") {
    t.server.path_down(kPath1, t.now);
    CHECK_FALSE(t.server.on_frame(kPath1, wire::AckFrame{100, 100}, t.now));
    CHECK_FALSE(t.server.on_frame(PathId{9}, wire::AckFrame{100, 100}, t.now));
  }
}

TEST_CASE("session: RESET", "[session]") {
  Pair t;
  t.connect(kPath1);

  SECTION("from the peer fails the connection") {
    REQUIRE_FALSE(t.client.on_frame(kPath1, wire::ResetFrame{0}, t.now));
    CHECK(t.client.state() == State::failed);
    CHECK(t.client.error() == errc::connection_reset);
    CHECK(t.client.next_deadline() == TimePoint::max());
  }
  SECTION("abort sends one") {
    t.client.write(text("unsent"), t.now);
    t.client.abort();
    CHECK(t.client.state() == State::failed);
    const auto frames = frames_of(poll_all(t.client, kPath1, t.now));
    REQUIRE(frames.size() == 1);
    REQUIRE(std::holds_alternative<wire::ResetFrame>(frames[0]));
    REQUIRE_FALSE(t.server.on_frame(kPath1, frames[0], t.now));
    CHECK(t.server.error() == errc::connection_reset);
  }
}

TEST_CASE("session: an idle connection holds no buffers, and gets them back on use", "[session]") {
  Pair t;
  CHECK(t.client.buffered_bytes() == 0);  // nothing before the first byte
  t.connect(kPath1);
  REQUIRE(t.client.write(text("hello"), t.now) == 5);
  t.exchange(kPath1);
  CHECK(read_text(t.server, t.now) == "hello");
  t.now += t.config.ack_delay;
  t.exchange(kPath1);  // the ack frees the bytes, not yet the buffers
  CHECK(t.client.buffered_bytes() > 0);
  CHECK(t.server.buffered_bytes() > 0);
  // Quiet for a while: the keepalive's timer gives them back.
  t.now += 1500ms;
  t.client.on_timer(t.now);
  t.server.on_timer(t.now);
  CHECK(t.client.buffered_bytes() == 0);
  CHECK(t.server.buffered_bytes() == 0);
  // Used again: the stream goes on at its offsets.
  REQUIRE(t.client.write(text("again"), t.now) == 5);
  t.exchange(kPath1);
  CHECK(read_text(t.server, t.now) == "again");
}

TEST_CASE("session: bytes not yet read or acked keep their buffers while idle", "[session]") {
  Pair t;
  t.connect(kPath1);
  REQUIRE(t.client.write(text("unread"), t.now) == 6);
  t.exchange(kPath1);
  t.now += 2s;
  t.server.on_timer(t.now);
  CHECK(t.server.buffered_bytes() > 0);  // the application has not read them
  CHECK(read_text(t.server, t.now) == "unread");
  REQUIRE(t.server.write(text("unacked"), t.now) == 7);
  t.now += 2s;
  t.server.on_timer(t.now);  // not sent: nothing acked it
  CHECK(t.server.buffered_bytes() > 0);
  t.exchange(kPath1);
  CHECK(read_text(t.client, t.now) == "unacked");
}

}  // namespace msocket::session
