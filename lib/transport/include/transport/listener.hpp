// The listening side: accepts TCP connections, reads each one's SETUP and
// either opens a new msocket connection (NEW) or hands the socket to the
// connection it names (MIGRATE, ADD_PATH) once its MAC and counter check out.
#pragma once

#include <deque>
#include <map>
#include <set>
#include <memory>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "paths/shared_address_watcher.hpp"
#include "transport/admission.hpp"
#include "transport/connection.hpp"
#include "transport/reconnect_batch.hpp"

namespace msocket::transport {

class Listener : public std::enable_shared_from_this<Listener> {
 public:
  using AcceptHandler = asio::any_completion_handler<void(error_code, std::shared_ptr<Connection>)>;

  // Binds and listens on `endpoint` (port 0 picks one). Raises the
  // process's soft limit of open files to its hard limit first: each
  // connection takes a descriptor, and the usual soft limit (1024) is far
  // below the thousands a listener may hold; only a privileged process
  // could go past the hard one (accept then fails, and says so).
  // Errors: the socket's (address_in_use, access_denied, ...).
  static result<std::shared_ptr<Listener>> open(asio::any_io_executor ex, const tcp::endpoint& endpoint,
                                                const Options& options);
  Listener(asio::any_io_executor ex, tcp::acceptor acceptor, const Options& options);

  void start();
  // A flowpath that reached us another way than our own socket: through a
  // relay (mproxy), which joined a client's TCP connection to `socket`, one
  // we opened. It is handled as if accepted; `source` (the client's address
  // as the relay saw it) takes the place of the peer address in the limits
  // per source (§4.5). Refused quietly when no handshake slot is free.
  void adopt(tcp::socket socket, const asio::ip::address& source);
  // Completes with the next new connection, or operation_aborted after close().
  void async_accept(AcceptHandler handler);
  // Whether NEW connections are admitted; flowpaths of known connections
  // always are (they must survive the client's moves).
  void set_accepting(bool accepting) { accepting_ = accepting; }
  // Reached through these relays (their endpoints as clients reach them):
  // each connection offers them to its client (ADDRESSES of relays, §2.8),
  // which keeps a flowpath through each, instead of our own addresses,
  // which are behind NAT. Call again whenever they change.
  void set_relays(std::vector<tcp::endpoint> relays);
  void close();
  tcp::endpoint local_endpoint() const;
  asio::any_io_executor get_executor() const { return ex_; }
  std::size_t connection_count() const { return connections_.size(); }
  ~Listener();

 private:
  asio::awaitable<void> run_accept();
  // `peer`: how logs name the client (empty: its address as the socket has it).
  asio::awaitable<void> run_handshake(tcp::socket socket, asio::ip::address source, std::string peer);
  // `source`: the client's address as source_of() spells it.
  asio::awaitable<void> admit_new(tcp::socket socket, const wire::Setup& setup, asio::ip::address source,
                                  const std::string& peer);
  asio::awaitable<void> admit_path(tcp::socket socket, const wire::Setup& setup, const std::string& peer);
  asio::awaitable<void> answer_unknown(tcp::socket& socket, const wire::Setup& setup, const char* kind,
                                       const std::string& peer);
  void start_connection(tcp::socket socket, const wire::Setup& setup, ConnId id, const session::Secret& secret,
                        std::uint8_t cipher, const asio::ip::address& source, const std::string& peer);
  std::optional<wire::SetupStatus> choose_cipher(const wire::Setup& setup, std::uint8_t& cipher) const;
  std::size_t idle_from(const asio::ip::address& source) const;
  void on_connection_finished(Connection& conn);
  void deliver(std::shared_ptr<Connection> conn);
  void note_peer_control(Connection& conn, const wire::Setup& setup, const tcp::socket& socket);

  // Server mobility (server_moves.cpp).
  void start_server_mobility();
  void stop_server_mobility();
  void on_address_event(const paths::AddressEvent& event, const std::vector<paths::LocalAddress>& now);
  std::size_t announce_before_closing(const asio::ip::address& removed);
  // `closed_first`: the stranded connections' flowpaths are closed (one
  // with a live flowpath came back by itself).
  void announce_moves(bool closed_first);
  asio::awaitable<void> run_reconnects();
  asio::awaitable<void> narrow_fast_open_queue();
  void send_due_reconnects();
  void drop_needless_reconnects();
  asio::awaitable<void> run_control();
  void on_reconnect_ack(std::span<const std::byte> datagram);

  asio::any_io_executor ex_;
  tcp::acceptor acceptor_;
  Options options_;
  bool accepting_ = true;
  bool relayed_ = false;
  std::vector<tcp::endpoint> relays_;  // set_relays
  bool closed_ = false;
  Admission admission_;
  struct Entry {
    std::weak_ptr<Connection> connection;
    asio::ip::address source;  // of its NEW (source_of)
  };
  std::unordered_map<std::uint64_t, Entry> connections_;
  std::deque<std::shared_ptr<Connection>> ready_;
  std::optional<AcceptHandler> waiter_;

  std::unique_ptr<paths::SharedAddressWatcher::Subscription> watch_;
  std::vector<paths::LocalAddress> local_addresses_;  // after the latest event
  std::unique_ptr<asio::ip::udp::socket> control_;
  std::set<std::uint64_t> stranded_;  // their flowpaths went with an address of ours
  ReconnectBatch reconnects_;                          // told where we are, not yet acknowledged
  std::unique_ptr<asio::steady_timer> reconnect_wake_;  // the batch's next round
  bool reconnects_running_ = false;                     // run_reconnects() is
  bool fast_open_widened_ = false;                      // for the MIGRATEs of a move (fast_open.hpp)
  std::unique_ptr<asio::steady_timer> fast_open_grace_;  // until it is narrowed again
};

}  // namespace msocket::transport
