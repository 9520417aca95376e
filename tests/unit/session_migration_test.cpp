// Session across failed flowpaths (docs/protocol.md §3.3) and closure
// (§3.4), including closure in the middle of a migration, driven by hand with
// a fake clock (session_pair.hpp).
#include <catch2/catch.hpp>

#include "session_pair.hpp"

namespace msocket::session {

using namespace test;
using namespace std::chrono_literals;

TEST_CASE("session: closure", "[session]") {
  Pair t;
  t.connect(kPath1);
  t.client.write(text("bye"), t.now);
  t.client.shutdown_write(t.now);
  t.server.shutdown_write(t.now);
  t.exchange(kPath1);
  CHECK(t.client.state() == State::time_wait);
  CHECK(t.server.state() == State::time_wait);
  CHECK(read_text(t.server, t.now) == "bye");
  CHECK(t.server.read_eof());
  CHECK(t.client.read_eof());
  CHECK(t.client.next_deadline() <= t.now + t.config.time_wait);

  SECTION("the peer's TCP EOF confirms it") {
    t.client.path_eof(kPath1, t.now);
    t.server.path_eof(kPath1, t.now);
    CHECK(t.client.state() == State::closed);
    CHECK(t.server.state() == State::closed);
    CHECK_FALSE(t.client.error());
    CHECK(t.client.next_deadline() == TimePoint::max());
  }
  SECTION("or the time_wait timer") {
    t.now += t.config.time_wait - 1ms;
    t.client.on_timer(t.now);
    CHECK(t.client.state() == State::time_wait);
    t.now += 1ms;
    t.client.on_timer(t.now);
    CHECK(t.client.state() == State::closed);
  }
  SECTION("an EOF before time_wait is a path failure, not closure") {
    Pair u;
    u.connect(kPath1);
    u.client.shutdown_write(u.now);
    u.exchange(kPath1);
    u.server.path_eof(kPath1, u.now);
    CHECK(u.server.state() == State::established);
    CHECK_FALSE(u.server.has_live_path());
  }
}

TEST_CASE("session: closure during migration", "[session]") {
  Pair t;
  t.connect(kPath1);
  REQUIRE(t.client.write(text("abc"), t.now) == 3);
  REQUIRE(t.server.write(text("xyz"), t.now) == 3);
  t.client.shutdown_write(t.now);
  t.server.shutdown_write(t.now);

  SECTION("the FINs cross, the acks are lost with the path") {
    const auto c = poll_all(t.client, kPath1, t.now);
    const auto s = poll_all(t.server, kPath1, t.now);
    REQUIRE_FALSE(feed(t.server, kPath1, c, t.now));
    REQUIRE_FALSE(feed(t.client, kPath1, s, t.now));
    // Both hold the other's FIN; neither has seen its own acked.
    CHECK(t.client.state() == State::established);
    (void)poll_all(t.client, kPath1, t.now);  // the acks go out and are lost
    (void)poll_all(t.server, kPath1, t.now);
    t.client.path_down(kPath1, t.now);
    t.server.path_down(kPath1, t.now);
    // §3.3: the SETUP exchange carries each side's ack, which is all that
    // was missing: closure goes on without another frame.
    t.connect(kPath2);
    CHECK(t.client.state() == State::time_wait);
    CHECK(t.server.state() == State::time_wait);
    t.exchange(kPath2);
    t.client.path_eof(kPath2, t.now);
    t.server.path_eof(kPath2, t.now);
    CHECK(t.client.state() == State::closed);
    CHECK(t.server.state() == State::closed);
  }
  SECTION("the client's FIN is lost with the path and sent again") {
    REQUIRE_FALSE(feed(t.client, kPath1, poll_all(t.server, kPath1, t.now), t.now));
    (void)poll_all(t.client, kPath1, t.now);  // "abc" and FIN, lost
    t.client.path_down(kPath1, t.now);
    t.server.path_down(kPath1, t.now);
    t.now += 100ms;
    t.connect(kPath2);
    const Bytes again_bytes = poll_all(t.client, kPath2, t.now);
    const auto again = frames_of(again_bytes);
    const auto data = only<wire::DataFrame>(again);
    REQUIRE(data.size() == 2);
    CHECK(data[0].offset == 0);
    CHECK(data[0].payload.size() == 3);
    CHECK(data[1].fin);
    CHECK(data[1].offset == 3);
    for (const auto& f : again) REQUIRE_FALSE(t.server.on_frame(kPath2, f, t.now));
    t.exchange(kPath2);
    CHECK(read_text(t.server, t.now) == "abc");
    CHECK(read_text(t.client, t.now) == "xyz");
    CHECK(t.client.state() == State::time_wait);
    CHECK(t.server.state() == State::time_wait);
    t.server.path_eof(kPath2, t.now);
    t.client.path_eof(kPath2, t.now);
    CHECK(t.server.state() == State::closed);
    CHECK(t.client.state() == State::closed);
  }
  SECTION("the server is gone after the move: closed only if both FINs crossed") {
    t.exchange(kPath1);
    REQUIRE(t.client.state() == State::time_wait);
    t.client.path_down(kPath1, t.now);
    t.client.peer_closed(t.now);  // SETUP_ACK `closed`
    CHECK(t.client.state() == State::closed);
    CHECK_FALSE(t.client.error());
  }
}

TEST_CASE("session: peer_closed before the FINs crossed is a failure", "[session]") {
  Pair t;
  t.connect(kPath1);
  t.client.shutdown_write(t.now);
  t.exchange(kPath1);  // our FIN is out, the server's is not
  t.client.path_down(kPath1, t.now);
  t.client.peer_closed(t.now);
  CHECK(t.client.state() == State::failed);
  CHECK(t.client.error() == errc::unknown_connection);
}

TEST_CASE("session: migration re-sends only what the peer lacks", "[session]") {
  Config config;
  config.chunk_size = 1000;
  Pair t(config);
  t.connect(kPath1);
  const auto data = pattern(10000, 5);
  REQUIRE(t.client.write(data, t.now) == 10000);
  const auto sent = poll_all(t.client, kPath1, t.now);
  // The path dies after delivering the first four frames.
  const auto frames = frames_of(sent);
  REQUIRE(frames.size() == 10);
  for (std::size_t i = 0; i < 4; ++i) REQUIRE_FALSE(t.server.on_frame(kPath1, frames[i], t.now));
  CHECK(t.server.recv_ack() == 4000);

  SECTION("on a new path id") {
    t.client.path_down(kPath1, t.now);
    t.server.path_down(kPath1, t.now);
    t.connect(kPath2);
  }
  SECTION("on the same path id, replacing a path the server still thinks is up") {
    t.client.path_down(kPath1, t.now);
    t.connect(kPath1);
  }
  const Bytes again_bytes = poll_all(t.client, t.client.live_paths().at(0), t.now);
  const auto again = only<wire::DataFrame>(frames_of(again_bytes));
  REQUIRE_FALSE(again.empty());
  CHECK(again.front().offset == 4000);
  std::uint64_t resent = 0;
  for (const auto& d : again) resent += d.payload.size();
  CHECK(resent == 6000);
}

TEST_CASE("session: a duplicate does not leave an ack deadline behind", "[session]") {
  // Data reaches the server on path 1 and is acked there, but the client
  // loses path 1 before the ack arrives and re-sends on path 2. The
  // duplicate changes nothing the server has to say.
  Pair t;
  t.connect(kPath1);
  t.connect(kPath2);
  REQUIRE(t.client.write(text("once"), t.now) == 4);
  REQUIRE_FALSE(feed(t.server, kPath1, poll_all(t.client, kPath1, t.now), t.now));
  t.now += t.config.ack_delay;
  REQUIRE(only<wire::AckFrame>(frames_of(poll_all(t.server, kPath1, t.now))).size() == 1);
  t.client.path_down(kPath1, t.now);
  REQUIRE_FALSE(feed(t.server, kPath2, poll_all(t.client, kPath2, t.now), t.now));
  t.now += t.config.ack_delay;
  (void)poll_all(t.server, kPath2, t.now);
  CHECK(t.server.next_deadline() > t.now);
  CHECK(read_text(t.server, t.now) == "once");
}

TEST_CASE("session: no delayed-ack deadline in time_wait", "[session]") {
  // In time_wait the transport half-closes flowpaths with nothing to send
  // (§3.4), so a window update waiting for the ack delay could never go out:
  // the deadline would only wake the transport for nothing.
  Pair t;
  t.connect(kPath1);
  REQUIRE(t.server.write(text("last words"), t.now) == 10);
  t.server.shutdown_write(t.now);
  t.client.shutdown_write(t.now);
  t.exchange(kPath1);
  REQUIRE(t.client.state() == State::time_wait);
  CHECK(read_text(t.client, t.now) == "last words");
  CHECK(t.client.next_deadline() > t.now + 1s);
}

TEST_CASE("session: a window update lost with a path is sent again", "[session]") {
  // The server reads and opens its window; the update goes out on path 1,
  // which is dead without anyone knowing yet. When path 1 is declared dead,
  // the update must go out on path 2, or the client waits forever.
  Config config;
  config.recv_buffer = 4096;
  Pair t(config);
  t.connect(kPath1);
  t.connect(kPath2);
  REQUIRE(t.client.write(pattern(10000, 6), t.now) == 10000);
  REQUIRE_FALSE(feed(t.server, kPath1, poll_all(t.client, kPath1, t.now), t.now));
  CHECK(poll_all(t.client, kPath2, t.now).empty());  // window-limited
  std::array<std::byte, 4096> buffer;
  REQUIRE(t.server.read(buffer, t.now) == 4096);
  const auto lost = frames_of(poll_all(t.server, kPath1, t.now));
  REQUIRE(only<wire::AckFrame>(lost).size() == 1);
  CHECK(poll_all(t.server, kPath2, t.now).empty());

  t.server.path_down(kPath1, t.now);
  const auto again = only<wire::AckFrame>(frames_of(poll_all(t.server, kPath2, t.now)));
  REQUIRE(again.size() == 1);
  CHECK(again[0].ack == 4096);
  CHECK(again[0].window == 8192);
  REQUIRE_FALSE(t.client.on_frame(kPath2, again[0], t.now));
  // The transfer goes on. With a window this small the client's scheduler
  // sends on the path it ranks first, path 1, dead without the client
  // knowing; once path 1 has been silent long enough that a copy would
  // arrive sooner (for 4 KiB, about a second at the guessed rates), path 2
  // copies what it holds.
  const auto on_path1 = only<wire::DataFrame>(frames_of(poll_all(t.client, kPath1, t.now)));
  const auto on_path2 = only<wire::DataFrame>(frames_of(poll_all(t.client, kPath2, t.now + 2s)));
  REQUIRE_FALSE(on_path2.empty());
  CHECK(on_path2.front().offset == 4096);
  if (!on_path1.empty()) CHECK(on_path1.front().offset == 4096);
}

}  // namespace msocket::session
