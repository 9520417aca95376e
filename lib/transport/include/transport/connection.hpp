// One msocket connection on an io_context: the session core plus the TCP
// sockets of its flowpaths, its timers and the application's waiting
// operations. Runs on one executor; every member must be called on it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "session/auth.hpp"
#include "session/session.hpp"
#include "transport/locator.hpp"
#include "transport/options.hpp"
#include "wire/frame.hpp"

namespace msocket::paths {
class AddressWatcher;
struct AddressEvent;
}  // namespace msocket::paths

namespace msocket::transport {

struct Flowpath;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  using ReadHandler = asio::any_completion_handler<void(error_code, std::size_t)>;
  using WaitHandler = asio::any_completion_handler<void(error_code)>;

  Connection(asio::any_io_executor ex, Role role, ConnId id, const session::Secret& secret,
             const Options& options);
  ~Connection();

  // ---- flowpaths (transport internals) -------------------------------------
  // Starts reader and writer coroutines for a socket whose handshake is done.
  void attach_path(PathId id, tcp::socket socket, std::uint64_t peer_ack, std::uint64_t peer_window,
                   PathPriority priority = PathPriority::regular);
  // Tell the peer our addresses (docs/protocol.md §2.8), with `port` (a
  // wildcard listener's; 0 from a client, which accepts no flowpaths): now,
  // on each new flowpath, and after refresh_advert when they changed
  // (addresses.cpp).
  void advertise_addresses(std::uint16_t port);
  void refresh_advert();
  // Client role: where to reconnect after a move (the endpoint NEW reached).
  void set_remote(const tcp::endpoint& remote);
  // Client role: the UDP socket RECONNECT arrives on (its port went out in NEW).
  void set_control_socket(asio::ip::udp::socket socket);
  // Client role, connected by name: ask `locator` where the peer went when a
  // move fails, and follow its changes (peer_moves.cpp).
  void set_locator(std::shared_ptr<Locator> locator);
  // Client role: the peer's addresses changed (RECONNECT or its name): move
  // there now if our flowpaths go elsewhere, or whatever they go to when
  // `paths_dead` (a RECONNECT: the peer has dropped its end of them).
  void peer_moved(const std::vector<tcp::endpoint>& where, const char* how, bool paths_dead = false);
  // Client role: starts following local addresses and migrating when needed.
  void start_mobility();
  // Client role: ask for a migration of every flowpath now (cause `application`).
  void migrate();
  // Server role: counter of the newest authenticated SETUP, against replay.
  std::uint64_t& last_counter() { return last_counter_; }
  // Server role: the client's control address, from its latest SETUP.
  void set_peer_control(const asio::ip::udp::endpoint& where) { peer_control_ = where; }
  const std::optional<asio::ip::udp::endpoint>& peer_control() const { return peer_control_; }
  std::uint64_t next_reconnect_counter() { return ++reconnect_counter_; }
  // Server role: our address `local` went away; closes the flowpaths that
  // used it. Returns whether there were any.
  bool drop_paths_on(const asio::ip::address& local);
  // Called once when the session reaches closed or failed.
  void on_finished(std::function<void(Connection&)> callback) { finished_cb_ = std::move(callback); }

  // ---- application ---------------------------------------------------------
  // Completes with bytes read, asio::error::eof at the peer's FIN, or the
  // connection's error. Only one read may be outstanding.
  void async_read_some(std::span<std::byte> buffer, ReadHandler handler);
  // Completes with bytes accepted into the output buffer (waits for room),
  // asio::error::broken_pipe after shutdown_write, or the connection's error.
  void async_write_some(std::span<const std::byte> buffer, ReadHandler handler);
  // Completes when the connection is closed (ok) or failed (its error).
  void async_wait_closed(WaitHandler handler);
  void shutdown_write();
  void abort();

  // ---- state ---------------------------------------------------------------
  ConnId id() const { return id_; }
  Role role() const { return role_; }
  const session::Secret& secret() const { return secret_; }
  session::Session& session() { return session_; }
  const session::Session& session() const { return session_; }
  Stats stats() const;
  const asio::any_io_executor& get_executor() const { return ex_; }
  std::optional<tcp::endpoint> local_endpoint() const;
  std::optional<tcp::endpoint> remote_endpoint() const;
  std::uint64_t next_counter() { return ++last_counter_; }

 private:

  asio::awaitable<void> run_reader(std::shared_ptr<Flowpath> path);
  asio::awaitable<void> run_writer(std::shared_ptr<Flowpath> path);
  asio::awaitable<void> run_timer();
  asio::awaitable<void> run_mobility();
  asio::awaitable<bool> try_migrate();
  asio::awaitable<bool> migrate_to(tcp::endpoint remote);
  asio::awaitable<void> refresh_candidates();
  asio::awaitable<void> run_control();
  void on_control_datagram(std::span<const std::byte> datagram, const asio::ip::udp::endpoint& from);
  void abandon_attempt();
  // Multipath (multipath.cpp).
  void open_extra_paths();
  void consider_extra_path(const asio::ip::address& local);
  bool wants_extra_path(const asio::ip::address& local) const;
  void retry_extra_paths_now();
  asio::awaitable<void> add_path_from(asio::ip::address local, PathId id);
  void retire_path_stats(PathId id);
  // Address advertisement (addresses.cpp, docs/protocol.md §2.8).
  std::size_t take_advert(Flowpath& path, std::span<std::byte> out);
  void on_peer_addresses(const wire::AddressesFrame& frame);
  // Where a flowpath from `local` may go: the peer's addresses, those on
  // `local`'s subnet first, then the one we connected to, then the rest.
  std::vector<tcp::endpoint> remotes_for(const asio::ip::address& local) const;
  // How long one connect attempt may last when another target or a retry
  // follows: the retry interval (rho), at least a second for the
  // handshake, at most the connect timeout.
  Duration attempt_timeout() const;
  // Tells the session what the flowpath's TCP has acked and its RTT
  // (tcp_progress.hpp); true if the acked count grew.
  bool report_tcp_progress(Flowpath& path, TimePoint now);
  bool awaits_tcp_progress(const Flowpath& path) const;
  wire::ControlAddress control_address() const;
  // A MIGRATE or ADD_PATH for flowpath `id`, with the next counter and its MAC.
  wire::Setup path_request(wire::SetupKind kind, PathId id, PathPriority priority);
  // Whether `answer` is an authentic ok to `request` (§2.2, §4): only such an
  // answer may restart the stream; a forged one could make us skip or repeat bytes.
  bool accepts(const wire::Setup& request, const wire::Setup& answer) const;
  void on_address_event(const paths::AddressEvent& event);
  void close_path(PathId id, MigrationCause cause, const std::string& why);
  bool is_current(const std::shared_ptr<Flowpath>& path) const;
  // After every event: reaps dead paths, wakes writers and the application,
  // re-arms the timer, and notices the end of the connection.
  void update();
  void complete_app_waiters();
  template <class Handler>
  void watch_cancellation(Handler& handler, void (Connection::*cancel)());
  void cancel_read();
  void cancel_write();
  void cancel_wait_closed();
  void finish();

  asio::any_io_executor ex_;
  Role role_;
  ConnId id_;
  session::Secret secret_;
  Options options_;
  session::Session session_;
  std::map<PathId, std::shared_ptr<Flowpath>> flowpaths_;
  asio::steady_timer timer_;
  TimePoint timer_deadline_ = TimePoint::max();
  bool finished_ = false;
  bool timer_running_ = false;
  std::function<void(Connection&)> finished_cb_;

  struct PendingRead { std::span<std::byte> buffer; ReadHandler handler; };
  struct PendingWrite { std::span<const std::byte> buffer; ReadHandler handler; };
  std::optional<PendingRead> pending_read_;
  std::optional<PendingWrite> pending_write_;
  std::vector<WaitHandler> closed_waiters_;

  // Client mobility.
  std::optional<tcp::endpoint> remote_;
  std::vector<tcp::endpoint> candidates_;  // where the peer may be, preferred first
  std::shared_ptr<Locator> locator_;
  std::unique_ptr<asio::ip::udp::socket> control_;
  std::uint64_t peer_reconnect_counter_ = 0;  // newest RECONNECT acted on
  asio::steady_timer attempt_deadline_;       // of the reconnect in flight; cancel to give it up
  std::optional<tcp::endpoint> attempt_target_;  // where the reconnect in flight goes
  bool self_moved_ = false;   // in this outage: our address went away
  bool peer_moved_ = false;   // in this outage: the peer's address changed
  unsigned failed_attempts_ = 0;  // in this outage
  // Multipath: extra flowpaths by local address, and those being opened.
  std::map<asio::ip::address, PathId> extra_paths_;
  struct PathAttempt {  // an ADD_PATH being opened from one local address
    explicit PathAttempt(asio::any_io_executor ex) : deadline(ex) {}
    asio::steady_timer deadline;  // cancelled to start over (a new route came)
    bool again = false;
  };
  std::map<asio::ip::address, std::shared_ptr<PathAttempt>> adding_;
  std::uint32_t next_path_id_ = 1;
  std::vector<tcp::endpoint> peer_addresses_;  // where the server offers flowpaths (§2.8)
  // Ours, to advertise (§2.8); pending until a flowpath has written it.
  std::optional<std::uint16_t> advertised_port_;  // set: we advertise
  std::optional<wire::AddressesFrame> advert_;
  bool advert_pending_ = false;
  std::map<PathId, PathStats> path_history_;  // per id: earlier sockets' totals, latest endpoints
  // Server role.
  std::optional<asio::ip::udp::endpoint> peer_control_;
  std::uint64_t reconnect_counter_ = 0;
  std::uint64_t last_counter_ = 0;
  std::unique_ptr<paths::AddressWatcher> watcher_;
  asio::steady_timer mobility_wake_;
  std::optional<MigrationCause> pending_cause_;
  std::optional<TimePoint> outage_since_;  // when the move could start (recovery clock)
  std::optional<TimePoint> path_lost_at_;  // when the last path went away
  std::vector<Migration> migrations_;
  bool mobility_started_ = false;
  bool retry_now_ = false;  // an address, link or route appeared since the last attempt
};

// For logs: 16 hex digits.
std::string to_hex(ConnId id);

}  // namespace msocket::transport
