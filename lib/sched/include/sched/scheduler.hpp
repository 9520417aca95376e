// The multipath scheduler (paper §III-C, docs/scheduler.md): sans-I/O. The
// session tells it what happens (paths up and down, RTT samples, bytes the
// peer received on a path, the connection's ack and window, how far the
// application has written) and asks it, when a path can take more bytes,
// which stream ranges that path should send. The policy that decides is
// chosen by name. Nothing here blocks or reads a clock; call it from the
// connection's thread only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "msocket/error.hpp"
#include "sched/policy.hpp"

namespace msocket::sched {

class Scheduler {
 public:
  Scheduler(std::unique_ptr<Policy> policy, Config config);
  Scheduler(const Scheduler&) = delete;  // estimators point into config_
  Scheduler& operator=(const Scheduler&) = delete;

  std::string_view policy_name() const { return policy_->name(); }
  const Config& config() const { return config_; }

  // ---- paths ---------------------------------------------------------------
  // A flowpath is ready to carry data; `handshake_rtt` seeds its RTT. A path
  // with the same id that is still up is taken down first. A backup path
  // is hidden from the policy while a regular path is up and not failing
  // (silent for Config::backup_rtts).
  void path_up(PathId path, std::optional<Duration> handshake_rtt = {},
               PathPriority priority = PathPriority::regular);
  // The flowpath failed or closed: whatever it carried that the peer has not
  // received and not acked is sent again on other paths, before new bytes.
  // `unsure`: more ranges it carried that may not have reached the peer's
  // session although its TCP acked them (the peer's process may not have
  // read them before the socket died); the session passes every unacked
  // range the path carried (docs/protocol.md §3.3).
  void path_down(PathId path, std::span<const ByteRange> unsure = {});

  // ---- feedback ------------------------------------------------------------
  // An RTT sample on the path (PING/PONG, docs/protocol.md §2.5).
  void on_rtt_sample(PathId path, Duration rtt);
  // The peer received `bytes` more payload bytes of what `path` carried,
  // counted in the order the ranges were handed out (the flowpath's TCP
  // acks, e.g. TCP_INFO's tcpi_bytes_acked less the framing written).
  void on_delivered(PathId path, std::uint64_t bytes, TimePoint now);
  // The congestion window of `path`'s TCP, in bytes (TCP_INFO snd_cwnd
  // times snd_mss): the path is then given at least that much and a little
  // more (Config::unsent_rtts), so that its TCP never waits for us.
  void on_congestion_window(PathId path, std::uint64_t bytes);
  // The connection's cumulative ack and window end (docs/protocol.md §2.4).
  void on_ack(std::uint64_t ack, std::uint64_t window_end);
  // The application has written every byte below `stream_end`.
  void on_write(std::uint64_t stream_end);

  // ---- decisions -----------------------------------------------------------
  // `path` can take `budget` more payload bytes now: the ranges it should
  // send, each at most Config::chunk_size, `budget` in all at most. They
  // count as sent on `path` at `now` as soon as they are returned, so the
  // caller sends them all (or calls path_down). Empty if the path should
  // send nothing now (not up, nothing to send, window full, or the policy
  // keeps it for another path).
  std::vector<ByteRange> next_ranges(PathId path, std::uint64_t budget, TimePoint now);

  // When decisions may change with time alone (a path holding bytes crosses
  // its stall threshold, or a stalled path keeps slowing down): the caller
  // asks again (next_ranges) for its paths with room at that moment.
  // Once stalled, every quarter RTT (5 ms at least). TimePoint::max() when
  // no path holds bytes.
  TimePoint next_deadline(TimePoint now) const;

  // ---- state ---------------------------------------------------------------
  const SendLedger& ledger() const { return ledger_; }
  // Estimates of a live path; nullptr if it is not up.
  const PathEstimator* estimate(PathId path) const;
  // The snapshot the policy sees at `now`: every live path, but the backup
  // ones only when no regular path is up and not failing.
  SchedulerView view(TimePoint now) const;

 private:
  struct LivePath {
    unsigned rank;
    PathPriority priority;
    PathEstimator estimate;
  };
  bool backups_hidden(TimePoint now) const;
  unsigned rank_for(PathId path);

  std::unique_ptr<Policy> policy_;
  Config config_;
  SendLedger ledger_;
  std::map<PathId, LivePath> paths_;
  unsigned paths_seen_ = 0;
};

// Creates the scheduler with the policy named `policy` (one of
// policy_names()). Errors: boost::system::errc::invalid_argument for an
// unknown name.
result<std::unique_ptr<Scheduler>> make_scheduler(std::string_view policy, Config config = {});

// "default", "rr", "redundant", "backup", "prefer".
std::vector<std::string_view> policy_names();

}  // namespace msocket::sched
