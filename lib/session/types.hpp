// Basic types of the session layer: ids, clock, configuration.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace msocket {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// Ids are distinct types so a path id can never be passed as a connection id.
enum class PathId : std::uint32_t {};
enum class ConnId : std::uint64_t {};

inline std::uint32_t to_int(PathId p) { return static_cast<std::uint32_t>(p); }
inline std::uint64_t to_int(ConnId c) { return static_cast<std::uint64_t>(c); }

enum class Role { client, server };

}  // namespace msocket

namespace msocket::session {

using namespace std::chrono_literals;

struct Config {
  std::size_t send_buffer = 4 << 20;  // output buffer: bytes kept until the peer acks them
  std::size_t recv_buffer = 4 << 20;  // input buffer: the window offered to the peer
  std::size_t chunk_size = 32 * 1024;  // largest DATA payload we send
  Duration keepalive_interval = 1s;    // PING on a path this long after we last pinged it
  Duration keepalive_timeout = 8s;     // a path that brings nothing for this long is dead
  Duration ack_delay = 10ms;           // an ack may wait this long for more data to ride on
  Duration linger = 24h;               // state kept while no path exists (paper §III-E)
  // After both FINs: wait this long for the peer's confirmation. Well above
  // keepalive_timeout, so a client whose path dies in time_wait has time to
  // notice, reconnect and deliver its final ack.
  Duration time_wait = 30s;
};

}  // namespace msocket::session
