// The connection core (paper §III-B), sans-I/O: it takes frames, application
// reads/writes and the time, and says what to send on which flowpath. The
// transport layer owns sockets and clocks and calls it.
//
// Per-path state is keyed by PathId so several paths need no rewrite.
// Nothing here suspends or blocks; call it from one thread (the connection's).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "msocket/error.hpp"
#include "sched/scheduler.hpp"
#include "session/path_state.hpp"
#include "session/range_set.hpp"
#include "session/recv_buffer.hpp"
#include "session/byte_ring.hpp"
#include "session/payload_ref.hpp"
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

// One flowpath as --stats reports it (Session::path_report).
struct PathReport {
  PathId id{};
  bool live = false;
  std::uint64_t bytes_sent = 0;      // payload, re-sends included (this incarnation of the id)
  std::uint64_t bytes_received = 0;  // payload
  // The RTT the scheduler works with (TCP's, PING/PONG or the handshake);
  // nullopt for a path that is down.
  std::optional<Duration> rtt;
  double delivery_rate = 0;  // bytes per second the scheduler estimates; 0 when down
  double share = 0;          // bytes_sent over the bytes_sent of every path listed
};

class Session {
 public:
  Session(Role role, const Config& config, TimePoint now);

  // ---- paths ---------------------------------------------------------------
  // A flowpath finished its handshake; the peer has received our stream up to
  // `peer_ack` and accepts bytes below `peer_window`. A path with the same id
  // that is still up is replaced (treated as failed first). `handshake_rtt`
  // (SETUP to SETUP_ACK, if measured) seeds the path's RTT estimate. A
  // backup path sends only while no regular path can (sched::Scheduler).
  // Errors: errc::peer_ahead if `peer_ack` is past what we sent.
  boost::system::error_code add_path(PathId id, std::uint64_t peer_ack, std::uint64_t peer_window,
                                     TimePoint now, std::optional<Duration> handshake_rtt = {},
                                     PathPriority priority = PathPriority::regular);
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

  // ---- per-path feedback (optional; docs/protocol.md §3.2) -----------------
  // The flowpath's TCP has had `bytes_acked` bytes acknowledged of what
  // poll_transmit returned for `id` since add_path: on Linux TCP_INFO's
  // tcpi_bytes_acked less the bytes the transport itself wrote on the socket
  // before add_path (the handshake), or the bytes written less SIOCOUTQ. A
  // running total; smaller values than before are ignored. The session takes
  // the framing off and tells the scheduler how many payload bytes the path
  // delivered. Without it (or between calls) the connection's ack stands in,
  // which makes every path look as slow as the slowest: the transfer works,
  // the striping is worse. Call it as often as cheap (after each write, on
  // each frame received), then poll the path.
  void path_delivered(PathId id, std::uint64_t bytes_acked, TimePoint now);
  // An RTT sample of the flowpath's TCP (TCP_INFO tcpi_rtt). Once given, the
  // path's PING/PONG samples no longer feed the scheduler: they include the
  // time our bytes wait in the socket buffer, TCP's do not.
  void path_rtt_sample(PathId id, Duration rtt);
  // The congestion window of the flowpath's TCP in bytes (TCP_INFO
  // tcpi_snd_cwnd times tcpi_snd_mss): the scheduler then keeps at least
  // that much on the path, so that its TCP is never short of bytes
  // (docs/scheduler.md §4.7).
  void path_congestion_window(PathId id, std::uint64_t bytes);
  // Whether a delivery reported now could let a path take more: bytes never
  // sent, or lost with a failed path, wait for room, or several live paths
  // share what is in flight (the scheduler may send its tail again on the
  // faster one). Otherwise the reports only refine the estimates, and the
  // transport may look at TCP less often.
  bool awaits_room() const;

  // ---- frames from the peer ------------------------------------------------
  // Errors concern only the path the frame came on (close that path):
  // errc::bad_frame for a frame that has no place after the handshake or
  // contradicts the stream, errc::peer_ahead for acks or bytes out of bounds.
  boost::system::error_code on_frame(PathId from, const wire::Frame& frame, TimePoint now);

  // ---- application ---------------------------------------------------------
  // Copies as much of `bytes` as the output buffer has room for; returns it.
  std::size_t write(std::span<const std::byte> bytes, TimePoint now);
  std::size_t writable() const;
  // The same without a copy through the caller's buffer (a relay reads its
  // input straight into the output buffer): room for at most `max` bytes
  // where they will be kept (empty when there is no room), then
  // commit_write(n) with how many were put there. The span is valid until
  // the next call on the session.
  std::span<std::byte> write_space(std::size_t max);
  void commit_write(std::size_t n, TimePoint now);
  // Copies in-order received bytes; returns 0 when none are ready.
  std::size_t read(std::span<std::byte> out, TimePoint now);
  std::size_t readable() const { return recv_.readable(); }
  // The same without a copy: the next in-order bytes where they lie, then
  // consume(n) with how many were taken. Valid until the next call.
  std::span<const std::byte> read_space() const { return recv_.peek(); }
  void consume(std::size_t n, TimePoint now);
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
  // returns the bytes written, 0 when nothing is due. Which data goes on
  // which path is the scheduler's choice (Config::scheduler); the caller
  // writes everything returned, in order, or reports the path down. `out`
  // is how much the path can take now: a transport that offers only what
  // its socket can queue without a long wait gives the scheduler the best
  // say. A path the scheduler keeps idle gets nothing even with room.
  // With `payloads`, DATA payloads are not copied: each leaves its place in
  // `out` unwritten and is described in `payloads` (in order of `at`),
  // pointing into the output buffer. Those slices are valid until the next
  // call on the session that accepts application bytes (write,
  // write_space); the caller must write them, or copy them into `out`,
  // before that.
  std::size_t poll_transmit(PathId path, std::span<std::byte> out, TimePoint now,
                            std::vector<PayloadRef>* payloads = nullptr);
  // Earliest moment on_timer has work, or the scheduler may decide
  // differently (a path holding bytes goes silent): at that moment call
  // on_timer, then poll every path. TimePoint::max() if none.
  TimePoint next_deadline() const;
  // Also gives back the buffers of a connection idle for a while (they are
  // allocated again on first use), so that an idle connection holds none.
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
  // Per-path figures for --stats: every path the session knows, live or not.
  std::vector<PathReport> path_report(TimePoint now) const;
  const sched::Scheduler& scheduler() const { return *scheduler_; }
  // Memory the buffers hold now (none while idle: see on_timer).
  std::size_t buffered_bytes() const { return send_ring_.allocated() + recv_.allocated(); }

 private:
  boost::system::error_code on_data(PathState& path, const wire::DataFrame& d, TimePoint now);
  boost::system::error_code on_ack(std::uint64_t ack, std::uint64_t window);
  void after_progress(TimePoint now);
  void fail(errc e);
  Duration linger() const;
  void forget_old_paths();  // Config::linger, or linger_unused for a server's unused connection
  std::size_t write_data(PathId id, PathState& path, std::span<std::byte> out, TimePoint now,
                         std::vector<PayloadRef>* payloads);
  std::size_t emit_data(PathState& path, std::uint64_t offset, std::size_t len,
                        std::span<std::byte> out, std::vector<PayloadRef>* payloads);
  bool fin_due(const PathState& path) const;
  void confirm_delivered(PathId id, PathState& path, TimePoint now);
  void release_sent();
  bool data_outstanding() const;
  std::size_t write_control(PathState& path, std::span<std::byte> out, TimePoint now);
  bool ack_due_now(TimePoint now) const;
  std::optional<PathId> ack_path(TimePoint now) const;
  bool ack_goes_on(PathId id, TimePoint now);
  wire::DataFrame data_header(std::uint64_t offset) const;

  Role role_;
  Config config_;
  State state_ = State::established;
  boost::system::error_code error_;
  Counters counters_;

  // Sending (§3.2): bytes [peer_ack_, write_end_) live in send_ring_ (and
  // any below peer_ack_ still owed to a path). The scheduler decides which
  // path sends what, and holds what failed paths lost (its ledger's lost()).
  ByteRing send_ring_;
  std::unique_ptr<sched::Scheduler> scheduler_;
  std::uint64_t write_end_ = 0;    // next offset the application writes
  std::uint64_t send_next_ = 0;    // highest offset sent + 1 (the FIN counts one)
  std::uint64_t peer_ack_ = 0;     // the paper's a
  std::uint64_t peer_window_ = 0;  // the peer accepts offsets below this (a + b)
  std::optional<std::uint64_t> fin_offset_;
  std::optional<PathId> fin_path_;  // the live path that carries our FIN, if one does
  TimePoint last_now_;              // the latest time we were given (next_deadline has none)
  // The last time a stream byte was written, read or arrived: the buffers
  // are given back once they are empty and this is kFreeBuffersAfter old.
  TimePoint last_stream_activity_;

  // Receiving.
  RecvBuffer recv_;
  std::uint64_t ack_sent_ = 0;
  std::uint64_t window_sent_ = 0;
  std::optional<TimePoint> ack_pending_since_;
  std::optional<TimePoint> ack_held_since_;  // a due ACK waits for its path (ack_path)

  std::map<PathId, PathState> paths_;
  std::vector<PathId> dead_paths_;
  std::optional<TimePoint> no_path_since_;
  std::optional<TimePoint> time_wait_since_;
  bool reset_pending_ = false;
};

}  // namespace msocket::session
