// Test helpers for driving two Sessions by hand (docs/protocol.md §3) with a
// fake clock: the time is a TimePoint the test constructs, and frames go from
// one session's poll_transmit through wire::decode into the other's on_frame.
#pragma once

#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <vector>

#include "session/session.hpp"
#include "wire/codec.hpp"

namespace msocket::session::test {

using namespace std::chrono_literals;
using Bytes = std::vector<std::byte>;

constexpr PathId kPath1{1};
constexpr PathId kPath2{2};

// Everything `s` has to send on `path` now, as raw bytes.
inline Bytes poll_all(Session& s, PathId path, TimePoint now) {
  Bytes out;
  std::vector<std::byte> buffer(128 * 1024);
  for (int i = 0; i < 10000; ++i) {
    const auto n = s.poll_transmit(path, buffer, now);
    if (n == 0) return out;
    out.insert(out.end(), buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n));
  }
  FAIL("poll_transmit never ran dry");
  return out;
}

// The frames in `bytes` (DATA payloads point into `bytes`).
inline std::vector<wire::Frame> frames_of(const Bytes& bytes) {
  std::vector<wire::Frame> frames;
  std::span<const std::byte> rest(bytes);
  while (!rest.empty()) {
    auto d = wire::decode(rest);
    REQUIRE(d.has_value());
    frames.push_back(d->frame);
    rest = rest.subspan(d->consumed);
  }
  return frames;
}

template <class T>
std::vector<T> only(const std::vector<wire::Frame>& frames) {
  std::vector<T> out;
  for (const auto& f : frames)
    if (const auto* x = std::get_if<T>(&f)) out.push_back(*x);
  return out;
}

// Feeds every frame of `bytes` to `s`; returns the first error.
inline boost::system::error_code feed(Session& s, PathId path, const Bytes& bytes, TimePoint now) {
  for (const auto& f : frames_of(bytes))
    if (auto ec = s.on_frame(path, f, now)) return ec;
  return {};
}

inline Bytes pattern(std::size_t n, int seed) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(i * 13 + seed + i / 251);
  return out;
}

inline std::span<const std::byte> text(const std::string& s) {
  return std::as_bytes(std::span(s.data(), s.size()));
}

inline std::string read_text(Session& s, TimePoint now) {
  std::array<std::byte, 4096> buffer;
  const auto n = s.read(buffer, now);
  return std::string(reinterpret_cast<const char*>(buffer.data()), n);
}

struct Pair {
  explicit Pair(Config c = Config{}) : config(c) {}
  Config config;
  TimePoint now = TimePoint{} + 1h;
  Session client{Role::client, config, now};
  Session server{Role::server, config, now};

  // §3.1/§3.3: each side learns the other's ack and window from the
  // SETUP / SETUP_ACK exchange.
  void connect(PathId path) {
    REQUIRE_FALSE(server.add_path(path, client.recv_ack(), client.recv_window(), now));
    REQUIRE_FALSE(client.add_path(path, server.recv_ack(), server.recv_window(), now));
  }
  // Sends both ways on `path` until neither side has anything more to say.
  void exchange(PathId path) {
    for (int i = 0; i < 1000; ++i) {
      const auto c = poll_all(client, path, now);
      const auto s = poll_all(server, path, now);
      if (c.empty() && s.empty()) return;
      REQUIRE_FALSE(feed(server, path, c, now));
      REQUIRE_FALSE(feed(client, path, s, now));
    }
    FAIL("exchange did not settle");
  }
};


}  // namespace msocket::session::test
