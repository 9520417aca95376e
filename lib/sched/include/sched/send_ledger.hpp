// The sender's bookkeeping that every policy reads (docs/scheduler.md §1):
// the stream offsets (the paper's s, a and b), what each path carries and the
// peer has not received yet, in send order, and what was lost with a failed
// path. It decides nothing; the Scheduler records here what a policy chose.
#pragma once

#include <map>
#include <span>
#include <vector>

#include <boost/container/devector.hpp>

#include "sched/config.hpp"

namespace msocket::sched {

// One range handed to a path.
struct SentRange {
  ByteRange range;
  std::uint64_t path_end = 0;  // the path's byte count once this range is in it
  TimePoint sent_at{};
  bool copied = false;  // also handed to another path: not worth copying again
};

// What one path carries. TCP delivers a flowpath's bytes in the order they
// were written, so "the peer received n more bytes on this path" pops the
// oldest ranges.
// (A devector, not a std::deque: an empty one allocates nothing, where
// libstdc++'s deque takes 576 bytes at once; thousands of idle paths.)
struct PathFlight {
  boost::container::devector<SentRange> queue;  // not yet delivered, oldest first
  std::uint64_t sent = 0;        // bytes handed to the path, copies included
  std::uint64_t delivered = 0;   // of which the peer has received this many
  std::uint64_t highest_end = 0; // highest stream offset + 1 handed to the path
};

class SendLedger {
 public:
  // ---- the stream ----------------------------------------------------------
  // The application has written everything below `end` (monotone).
  void set_stream_end(std::uint64_t end);
  // The peer's cumulative ack and window (docs/protocol.md §2.4: absolute
  // offsets). Both only grow; smaller values are ignored.
  void on_ack(std::uint64_t ack, std::uint64_t window_end);
  std::uint64_t next_new() const { return next_new_; }  // the paper's s
  std::uint64_t ack() const { return ack_; }            // the paper's a
  std::uint64_t window_end() const { return window_end_; }  // a + b
  std::uint64_t stream_end() const { return stream_end_; }
  // Bytes never sent that the window allows now: min(stream end, window) - s.
  std::uint64_t sendable_new() const;
  // Everything written has been sent at least once.
  bool all_sent() const { return next_new_ >= stream_end_; }
  // Ranges that were in flight on a failed path and are not acked: sorted,
  // disjoint, at or above ack().
  const std::vector<ByteRange>& lost() const { return lost_; }

  // ---- paths ---------------------------------------------------------------
  // Starts an empty flight for `path` (replacing any).
  void add_path(PathId path);
  // The path is gone: what it carried, the peer has not received and not
  // acked becomes lost(), and so does `unsure`: ranges the caller cannot be
  // sure reached the peer (below next_new(); what is acked is dropped).
  // Unknown paths are ignored, their `unsure` ranges not.
  void path_failed(PathId path, std::span<const ByteRange> unsure = {});
  // `range` was handed to `path` at `now`. New bytes must start at
  // next_new(); bytes below it count as re-sent: they leave lost(), and the
  // ranges of other paths that hold them are marked copied.
  void record_sent(PathId path, ByteRange range, TimePoint now);
  // The peer received `bytes` more on `path`; returns how many of them the
  // path carried (never more than it was given).
  std::uint64_t record_delivered(PathId path, std::uint64_t bytes);
  const PathFlight* flight(PathId path) const;
  const std::map<PathId, PathFlight>& flights() const { return flights_; }

 private:
  // Marks what other paths hold of `range` as copied; true if any held some.
  bool mark_copied_elsewhere(PathId path, ByteRange range);

  std::uint64_t next_new_ = 0;
  std::uint64_t ack_ = 0;
  std::uint64_t window_end_ = 0;
  std::uint64_t stream_end_ = 0;
  std::vector<ByteRange> lost_;
  std::map<PathId, PathFlight> flights_;
};

}  // namespace msocket::sched
