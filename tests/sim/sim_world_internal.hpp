// Internals of the session simulator, shared by its parts: the world's
// endpoints, events and the World class. sim_world.cpp has the event loop,
// sim_transport.cpp the model of each side's transport over the virtual
// network, sim_app.cpp the applications.
#pragma once

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <random>
#include <sstream>
#include <tuple>

#include "paths/path_manager.hpp"
#include "session/session.hpp"
#include "sim_network.hpp"
#include "sim_world.hpp"
#include "wire/codec.hpp"

namespace msocket::sim::detail {

using session::Session;
using session::State;

constexpr int kClient = 0;
constexpr int kServer = 1;

// Scripted runs: TCP segment size, and each socket's send buffer: twice the
// path's bandwidth-delay product (as Linux's autotuning grows it), 64 KiB at
// least. Bytes count from when they are written until TCP sees them acked.
constexpr std::size_t kSegment = 16 * 1024;
inline std::uint64_t send_buffer_of(const Connection& c, int side) {
  const double rtt = std::chrono::duration<double>(c.pipe[0].delay + c.pipe[1].delay).count();
  return std::max<std::uint64_t>(64 * 1024, static_cast<std::uint64_t>(2 * c.pipe[side].bytes_per_second * rtt));
}

// Stream contents are a keyed function of the offset, so a run keeps no copy
// of what was written and can check every byte read.
void fill_stream(std::uint64_t key, std::uint64_t offset, std::span<std::byte> out);

struct App {
  std::uint64_t out_key = 0, out_total = 0, written = 0;
  Bytes pending;  // the chunk being written
  std::size_t pending_pos = 0;
  bool writing = false;  // the chunk waits for room in the output buffer
  std::uint64_t in_key = 0, in_total = 0, received = 0;
  bool eof = false;
  bool slow_reader = false;
  bool bulk = false;  // scripted: writes everything as fast as it can
};

struct Endpoint {
  Endpoint(Role r, const session::Config& c, TimePoint now) : session(r, c, now) {}
  Session session;
  // The client's path manager (random runs): the real one decides when and
  // where to reconnect; the world plays the transport that carries it out.
  std::unique_ptr<paths::PathManager> paths;
  std::map<PathId, std::size_t> current;  // path id -> its connection
  bool finished = false;  // the session ended and the transport let go
  bool saw_time_wait = false;
  App app;
};

enum class EventKind {
  arrival, notice, app_write, app_read, app_shutdown, connect, handshake_timeout, kill, extra_path,
  tcp_ack, open_path, path_event
};

struct Event {
  TimePoint at;
  std::uint64_t seq;
  EventKind kind;
  int side;
  std::size_t conn;
  std::uint64_t value = 0;  // tcp_ack: bytes acked; path_event: index into the scenario's events
  bool operator>(const Event& o) const { return std::tie(at, seq) > std::tie(o.at, o.seq); }
};

// How a transport lets go of a socket: a TCP FIN, an RST, or nothing at all
// (the network is gone and nothing can be sent).
enum class Close { graceful, abort, silent };

class World {
 public:
  World(std::uint64_t seed, const Limits& limits);
  // A scripted run (sim_scenario.cpp): fixed paths, one bulk transfer.
  explicit World(const Scenario& scenario);
  Outcome run();
  // Per path of `side`'s session, as --stats would report them.
  std::vector<session::PathReport> path_report(int side) const {
    return ep_[side]->session.path_report(now_);
  }

 private:
  // randomness
  std::uint64_t uniform(std::uint64_t lo, std::uint64_t hi) {
    return std::uniform_int_distribution<std::uint64_t>(lo, hi)(rng_);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  std::uint64_t log_uniform(double lo, double hi) {
    return static_cast<std::uint64_t>(std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng_)));
  }
  Duration between(Duration lo, Duration hi) {
    return Duration(static_cast<Duration::rep>(uniform(static_cast<std::uint64_t>(lo.count()),
                                                       static_cast<std::uint64_t>(hi.count()))));
  }
  session::Config random_config();
  std::uint64_t random_total();

  void schedule(Duration after, EventKind kind, int side = 0, std::size_t conn = 0) {
    events_.push(Event{now_ + after, seq_++, kind, side, conn});
  }
  void fail(const std::string& what);
  // MSOCKET_SIM_TRACE=1 prints what happens, for replaying a failing seed.
  template <class... Args>
  void trace(const Args&... args) {
    if (!trace_) return;
    std::ostringstream s;
    s << "+" << std::chrono::duration_cast<std::chrono::microseconds>(now_ - start_).count() << "us";
    ((s << ' ' << args), ...);
    std::fprintf(stderr, "%s\n", s.str().c_str());
  }
  static const char* name(int side) { return side == kClient ? "client" : "server"; }
  bool all_done() const;
  void handle(const Event& e);

  // network and transport model
  void send(std::size_t conn, int side, Segment s);
  void send_bytes(std::size_t conn, int side, Bytes bytes);
  void on_arrival(std::size_t conn, int sender);
  void deliver(std::size_t conn, int side, Segment& s);
  void on_bytes(std::size_t conn, int side, const Bytes& bytes);
  void on_eof(std::size_t conn, int side);
  void on_setup(std::size_t conn, const Segment& s);
  void on_setup_ack(std::size_t conn, const Segment& s);
  // Adds connection `conn`'s path to `side`'s session with the peer's ack
  // and window from `s`; false (and the run failed) if the session refuses.
  bool attach(std::size_t conn, int side, const Segment& s);
  void close_socket(std::size_t conn, int side, Close how);
  Close polite(int side) const;
  // The client opens a connection: NEW (`order` none, not `extra`), an
  // extra flowpath beside live ones, or the path manager's `order`.
  void start_connection(bool extra, const std::optional<paths::OpenFlowpath>& order = std::nullopt);
  // Carries out the client's path manager's decisions.
  void execute(const paths::Decisions& decisions);
  paths::FlowpathInfo flowpath_info(std::size_t conn) const;
  void kill_random();
  void report_tcp_ack(std::size_t conn, int sender);
  void on_tcp_ack(const Event& e);
  void open_scripted_path(std::size_t index);
  void on_path_event(const PathEvent& event);
  void pump(int side);
  void transmit(int side);
  void finish(int side);

  // applications
  void app_write(int side);
  void try_write(int side);
  std::size_t read_some(int side, std::size_t max);

  std::uint64_t seed_;
  Limits limits_;
  std::mt19937_64 rng_;
  TimePoint start_ = TimePoint{} + 1h;
  TimePoint now_ = start_;
  std::deque<Connection> conns_;
  std::array<std::unique_ptr<Endpoint>, 2> ep_;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::uint64_t seq_ = 0;
  std::optional<std::size_t> attempt_;  // the client's connection in handshake
  std::map<std::size_t, paths::AttemptId> ordered_;  // connections the path manager asked for
  std::uint32_t next_path_ = 0;
  Bytes scratch_ = Bytes(96 * 1024);
  Outcome outcome_;
  bool failed_ = false;
  bool trace_ = std::getenv("MSOCKET_SIM_TRACE") != nullptr;
  bool tcp_feedback_ = false;            // transports report TCP acks (path_delivered)
  const Scenario* scenario_ = nullptr;   // a scripted run
  std::vector<std::size_t> scripted_;    // scenario path index -> its connection
};


}  // namespace msocket::sim::detail
