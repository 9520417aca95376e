// One msocket connection on an io_context: it wires the TCP sockets of its
// flowpaths to the session (what to send, what arrived) and to the path
// manager (which flowpaths to open and close), runs their timers, and
// completes the application's operations. The decisions are theirs; this
// class only carries them out (docs/architecture.md). Runs on one executor;
// every member must be called on it.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "paths/path_manager.hpp"
#include "session/auth.hpp"
#include "session/session.hpp"
#include "transport/advert.hpp"
#include "transport/app_operations.hpp"
#include "paths/shared_address_watcher.hpp"
#include "transport/connection_timers.hpp"
#include "transport/control_socket.hpp"
#include "transport/early_connects.hpp"
#include "transport/locator.hpp"
#include "transport/options.hpp"
#include "transport/path_history.hpp"
#include "transport/reconnect_receiver.hpp"
#include "wire/frame.hpp"

namespace msocket::transport {

struct Flowpath;
using tcp = asio::ip::tcp;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  // `cipher`: the record layer's (wire::kCipher*, none for --no-encrypt).
  Connection(asio::any_io_executor ex, Role role, ConnId id, const session::Secret& secret, std::uint8_t cipher,
             const Options& options);
  ~Connection();

  // ---- opening (client.cpp, listener.cpp) ----------------------------------
  // Starts the reader and writer of a flowpath whose handshake is done:
  // the one whose SETUP had `counter` (0 for NEW; it keys the records,
  // §4.2). `attempt`: the path manager's, if it asked for it.
  void attach_path(PathId id, tcp::socket socket, std::uint64_t counter, std::uint64_t peer_ack, std::uint64_t peer_window,
                   PathPriority priority, std::optional<paths::AttemptId> attempt = {});
  // Tell the peer our addresses with `port` (§2.8): a wildcard listener's, or
  // 0 from a client.
  void advertise_addresses(std::uint16_t port);
  // Server reached through relays: offer their endpoints instead.
  void advertise_relays(const std::vector<tcp::endpoint>& relays);
  // Client: where NEW went; listening for RECONNECT on the process's control
  // socket (§2.7, control_socket.hpp), whose port NEW announced; who knows
  // where the peer went when it moves (connected by name).
  void set_remote(const tcp::endpoint& remote);
  void listen_for_reconnect(std::unique_ptr<ControlSocket::Lease> control);
  void set_locator(std::shared_ptr<Locator> locator);
  // Client: TCP connects started with the NEW's (early_connects.hpp); an
  // ADD_PATH from one of their sources to their remote takes one instead
  // of connecting again.
  void adopt_early_connects(std::unique_ptr<EarlyConnects> early) { early_connects_ = std::move(early); }
  // Client: follow local addresses and open the extra flowpaths asked for.
  void start_mobility();
  // Server: an address event the listener saw, with our addresses after it.
  // True if flowpaths went with it (the client must be told where we are).
  bool on_address_event(const paths::AddressEvent& event, const std::vector<paths::LocalAddress>& addresses);
  // Server: whether every flowpath we hold leaves from `local` (so that
  // all of them go when it does); false without flowpaths.
  bool only_on(const asio::ip::address& local) const;
  // Server: the client's control address, from its latest SETUP.
  void set_peer_control(const asio::ip::udp::endpoint& where) { peer_control_ = where; }
  const std::optional<asio::ip::udp::endpoint>& peer_control() const { return peer_control_; }
  // Called once when the session reaches closed or failed.
  void on_finished(std::function<void(Connection&)> callback) { finished_cb_ = std::move(callback); }
  // Server: called once, when the client's first frame shows that it holds
  // the connection's keys (§3.1). Until then the connection is not the
  // application's, and it ends with its first flowpath.
  void on_confirmed(std::function<void(Connection&)> callback) { confirmed_cb_ = std::move(callback); }
  bool confirmed() const { return confirmed_; }

  // ---- application (app_operations.hpp for what each completes with) -------
  void async_read_some(std::span<std::byte> buffer, AppOperations::Handler handler);
  void async_write_some(std::span<const std::byte> buffer, AppOperations::Handler handler);
  void async_read_some(AppOperations::Sink sink, AppOperations::Handler handler);
  void async_write_some(AppOperations::Source source, AppOperations::Handler handler);
  void async_wait_closed(AppOperations::WaitHandler handler);
  void shutdown_write();
  void abort();
  // Client: move every flowpath now (cause `application`).
  void migrate();

  // ---- state ---------------------------------------------------------------
  ConnId id() const { return id_; }
  Role role() const { return role_; }
  const session::Secret& secret() const { return auth_.secret(); }
  std::uint8_t cipher() const { return cipher_; }
  session::ControlAuth& auth() { return auth_; }
  const session::Session& session() const { return session_; }
  Stats stats() const;
  const asio::any_io_executor& get_executor() const { return ex_; }
  std::optional<tcp::endpoint> local_endpoint() const;
  std::optional<tcp::endpoint> remote_endpoint() const;

 private:
  // Flowpaths (flowpath.cpp).
  asio::awaitable<void> run_reader(std::shared_ptr<Flowpath> path);
  asio::awaitable<void> run_writer(std::shared_ptr<Flowpath> path);
  // Gives the session every whole frame at the start of `bytes`; the bytes
  // used, or nullopt if a bad frame closed the flowpath.
  std::optional<std::size_t> take_frames(Flowpath& path, std::span<const std::byte> bytes);
  // The same for whole records (§2.9), opened in place.
  std::optional<std::size_t> take_records(Flowpath& path, std::span<std::byte> bytes);
  // Frames due on `path` into `out` (ours, then the session's); with
  // records, as many sealed records as fit (flowpath.cpp).
  // `payloads`: see Session::poll_transmit.
  std::size_t fill_frames(Flowpath& path, std::span<std::byte> out, TimePoint now,
                          std::vector<session::PayloadRef>* payloads = nullptr);
  std::size_t fill_records(Flowpath& path, std::span<std::byte> out, TimePoint now);
  void confirm();
  void reader_ended(Flowpath& path, const error_code& ec);
  bool report_tcp_progress(Flowpath& path, TimePoint now);
  bool awaits_tcp_progress(const Flowpath& path) const;
  bool is_current(const std::shared_ptr<Flowpath>& path) const;
  // The transport lost a flowpath: close it, tell the session and the path manager.
  void close_path(PathId id, MigrationCause cause, const std::string& why);
  void close_socket(PathId id, const std::string& why);
  // Carrying out the path manager's decisions (path_orders.cpp).
  void execute(const paths::Decisions& decisions);
  asio::awaitable<void> open_flowpath(paths::OpenFlowpath order);
  // `syn_deadline`: the socket's SYN waits for the SETUP (Fast Open), so
  // the attempt's deadline covers the exchange. `opened_early`: the socket
  // is one of EarlyConnects', connected before the connection was.
  asio::awaitable<void> join_flowpath(paths::OpenFlowpath order, tcp::socket socket,
                                      std::shared_ptr<asio::steady_timer> syn_deadline, bool opened_early = false);
  void attempt_failed(paths::AttemptId attempt, paths::AttemptStage stage);
  bool peer_forgot(const wire::Setup& request, const wire::Setup& answer, const tcp::endpoint& from);
  asio::awaitable<void> look_up_peer();
  void peer_moved(const Locator::Endpoints& where, const char* how, bool paths_dead);
  void on_local_address_event(const paths::AddressEvent& event, const std::vector<paths::LocalAddress>& now);
  // The peer's ADDRESSES (peer_news.cpp).
  void on_peer_addresses(const wire::AddressesFrame& frame);
  wire::Setup path_request(wire::SetupKind kind, PathId id, PathPriority priority);
  // After every event: reaps dead paths, wakes writers and the application,
  // re-arms the timer, and notices the end of the connection.
  void update();
  void offer_to_app();
  // The connection's deadline came (ConnectionTimers): the session's and
  // the path manager's timed work, then update().
  void on_timer_due();
  void cancel_timer();
  void finish();

  asio::any_io_executor ex_;
  Role role_;
  ConnId id_;
  session::ControlAuth auth_;
  std::uint8_t cipher_;
  bool confirmed_;
  TimePoint confirm_by_;  // server: an unconfirmed connection ends then (§3.1)
  std::function<void(Connection&)> confirmed_cb_;
  Options options_;
  session::Session session_;
  paths::PathManager paths_;
  std::shared_ptr<AppOperations> app_;
  std::map<PathId, std::shared_ptr<Flowpath>> flowpaths_;
  std::map<paths::AttemptId, std::shared_ptr<asio::steady_timer>> attempts_;  // cancelled to abandon
  std::unique_ptr<EarlyConnects> early_connects_;  // client: extra flowpaths' connects begun with the NEW's
  // Its entry in the io_context's one timer (none while nothing is due).
  std::optional<ConnectionTimers::Key> timer_key_;
  TimePoint timer_deadline_ = TimePoint::max();
  bool finished_ = false;
  std::function<void(Connection&)> finished_cb_;
  std::shared_ptr<Locator> locator_;
  std::unique_ptr<paths::SharedAddressWatcher::Subscription> watch_;  // client: our address events
  std::shared_ptr<ReconnectReceiver> control_;           // client: RECONNECT arrives here
  std::optional<asio::ip::udp::endpoint> peer_control_;  // server: the client's
  PendingAdvert advert_;
  std::optional<TimePoint> refused_since_;  // first unauthenticated "no such connection" since our last flowpath
  PathHistory history_;
};

// For logs: 16 hex digits.
std::string to_hex(ConnId id);

}  // namespace msocket::transport
