// The connection core (paper §III-B), sans-I/O: it takes frames, application
// reads/writes and the time, and says what to send on which flowpath. The
// transport layer owns sockets and clocks and calls it.
//
// Per-path state is keyed by PathId so several paths need no rewrite.
// Nothing here suspends or blocks; call it from one thread (the connection's).
#pragma once

#include <map>
#include <optional>
#include <span>
#include <vector>

#include "error.hpp"
#include "session/path_state.hpp"
#include "session/range_set.hpp"
#include "session/recv_buffer.hpp"
#include "session/byte_ring.hpp"
#include "session/types.hpp"
#include "wire/frame.hpp"

namespace msocket::session {

// docs/protocol.md §3: established -> (both FINs) time_wait -> closed;
// any state -> failed on reset, linger expiry or a fatal peer violation.
enum class State { established, time_wait, closed, failed };

struct Counters {
  std::uint64_t bytes_written = 0;  // accepted from the application
  std::uint64_t bytes_read = 0;     // handed to the application
  std::uint64_t paths_opened = 0;
};

class Session {
 public:
  Session(Role role, const Config& config, TimePoint now);

  // ---- paths ---------------------------------------------------------------
  // A flowpath finished its handshake; the peer has received our stream up to
  // `peer_ack` and accepts bytes below `peer_window`. A path with the same id
  // that is still up is replaced (treated as failed first).
  // Errors: errc::peer_ahead if `peer_ack` is past what we sent.
  boost::system::error_code add_path(PathId id, std::uint64_t peer_ack, std::uint64_t peer_window,
                                     TimePoint now);
  // The flowpath's socket failed or was closed by us: what it carried and is
  // not acked will be sent again on another path.
  void path_down(PathId id, TimePoint now);
  // The peer closed the flowpath cleanly (TCP EOF). In time_wait this is the
  // peer's confirmation that closure is complete; otherwise a path failure.
  void path_eof(PathId id, TimePoint now);
  bool has_live_path() const;
  std::vector<PathId> live_paths() const;
  // Paths the session declared dead (keepalive timeout) since the last call:
  // the transport closes their sockets.
  std::vector<PathId> take_dead_paths();

  // ---- frames from the peer ------------------------------------------------
  // Errors concern only the path the frame came on (close that path):
  // errc::bad_frame for a frame that has no place after the handshake or
  // contradicts the stream, errc::peer_ahead for acks or bytes out of bounds.
  boost::system::error_code on_frame(PathId from, const wire::Frame& frame, TimePoint now);

  // ---- application ---------------------------------------------------------
  // Copies as much of `bytes` as the output buffer has room for; returns it.
  std::size_t write(std::span<const std::byte> bytes, TimePoint now);
  std::size_t writable() const;
  // Copies in-order received bytes; returns 0 when none are ready.
  std::size_t read(std::span<std::byte> out, TimePoint now);
  std::size_t readable() const { return recv_.readable(); }
  bool read_eof() const { return recv_.eof(); }
  // No more bytes from us: queues the FIN in the output buffer (§3.4).
  void shutdown_write(TimePoint now);
  bool write_closed() const { return fin_offset_.has_value(); }
  // Aborts: a RESET goes out on live paths and the session fails.
  void abort();
  // After a move the peer answered that it has no such connection any more
  // (SETUP_ACK `closed` or `unknown`): closed if both FINs had crossed,
  // failed (errc::unknown_connection) otherwise.
  void peer_closed(TimePoint now);

  // ---- output --------------------------------------------------------------
  // Encodes the frames due on `path` into `out` (ack, pong, ping, data, FIN);
  // returns the bytes written, 0 when nothing is due.
  std::size_t poll_transmit(PathId path, std::span<std::byte> out, TimePoint now);
  // Earliest moment on_timer has work; TimePoint::max() if none.
  TimePoint next_deadline() const;
  void on_timer(TimePoint now);

  // ---- state ---------------------------------------------------------------
  State state() const { return state_; }
  boost::system::error_code error() const { return error_; }
  bool done() const { return state_ == State::closed || state_ == State::failed; }
  std::uint64_t recv_ack() const { return recv_.ack(); }
  std::uint64_t recv_window() const { return recv_.window(); }
  const Counters& counters() const { return counters_; }
  const std::map<PathId, PathState>& paths() const { return paths_; }
  Role role() const { return role_; }
  // Memory the buffers hold now.
  std::size_t buffered_bytes() const { return send_ring_.allocated() + recv_.allocated(); }

 private:
  boost::system::error_code on_data(PathState& path, const wire::DataFrame& d, TimePoint now);
  boost::system::error_code on_ack(std::uint64_t ack, std::uint64_t window);
  void after_progress(TimePoint now);
  void fail(errc e);
  std::uint64_t send_limit() const;  // highest offset + 1 we may send now
  std::size_t write_data(PathState& path, std::span<std::byte> out, TimePoint now);
  std::size_t write_control(PathState& path, std::span<std::byte> out, TimePoint now);
  bool ack_due_now(TimePoint now) const;
  wire::DataFrame data_header(std::uint64_t offset) const;

  Role role_;
  Config config_;
  State state_ = State::established;
  boost::system::error_code error_;
  Counters counters_;

  // Sending (§3.2): bytes [peer_ack_, write_end_) live in send_ring_.
  ByteRing send_ring_;
  std::uint64_t write_end_ = 0;    // next offset the application writes
  std::uint64_t send_next_ = 0;    // lowest offset never sent (the paper's s)
  std::uint64_t peer_ack_ = 0;     // the paper's a
  std::uint64_t peer_window_ = 0;  // the peer accepts offsets below this (a + b)
  std::optional<std::uint64_t> fin_offset_;
  RangeSet resend_;  // sent on a path that failed and not acked since

  // Receiving.
  RecvBuffer recv_;
  std::uint64_t ack_sent_ = 0;
  std::uint64_t window_sent_ = 0;
  std::optional<TimePoint> ack_pending_since_;

  std::map<PathId, PathState> paths_;
  std::vector<PathId> dead_paths_;
  std::optional<TimePoint> no_path_since_;
  std::optional<TimePoint> time_wait_since_;
  bool reset_pending_ = false;
};

}  // namespace msocket::session
