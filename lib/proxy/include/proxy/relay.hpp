// mproxy's relay (docs/protocol.md §5): servers behind NAT keep a control
// channel to it and reserve their names; each reservation gets a public port
// of its own. A client's flowpath that arrives on that port is announced to
// the server (Open), the server dials back with the matching Join, and the
// two TCP connections are spliced. The relay never speaks msocket, so
// end-to-end authentication and encryption pass through untouched: it can
// drop bytes, never read or alter them. It dials nobody but mnamed.
#pragma once

#include <array>
#include <functional>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "msocket/types.hpp"
#include "names/client.hpp"
#include "proxy/control_message.hpp"
#include "proxy/splice_pump.hpp"

namespace msocket::proxy {

struct RelayLimits {
  std::size_t max_reservations = 1000;
  std::size_t max_flows = 10000;           // spliced and waiting for their other half, in all
  std::size_t flows_per_reservation = 1024;
  std::size_t handshakes_per_source = 16;  // connections not yet a control channel or a flow half
  std::size_t handshakes = 1024;           // of those, in all
  std::size_t reservations_per_source = 64;
  std::size_t waiting_per_source = 64;     // client flowpaths waiting for their server half, from one address
  Duration ttl = std::chrono::seconds(30);  // a reservation lives this long after its last renewal
  Duration handshake_timeout = std::chrono::seconds(5);
  Duration join_timeout = std::chrono::seconds(5);  // a client's half waits this long for the server's
  SpliceSettings splice;                            // idle timeout of a flow, pipe size
};

struct RelayConfig {
  boost::asio::ip::tcp::endpoint listen;    // control channels and server halves
  boost::asio::ip::address public_address;  // what clients dial: the reservations' ports on it
  // Who owns a name: the name service, or several front ends of one
  // (the client fails over); empty: the first key to reserve it here.
  std::vector<names::ServerUrl> names;
  RelayLimits limits;
};

struct RelayCounters {
  std::size_t reservations = 0;  // now
  std::size_t control_channels = 0;
  std::size_t flows = 0;    // spliced now
  std::size_t waiting = 0;  // client halves waiting for the server's
  std::uint64_t flows_total = 0;
  std::uint64_t bytes_spliced = 0;
  std::uint64_t bytes_copied = 0;  // control messages read and written in user space
  std::uint64_t drains = 0;
  std::array<std::uint64_t, 5> refusals{};  // by Refusal
  std::uint64_t unjoined = 0;  // client halves closed because the server's never came
};

class Relay : public std::enable_shared_from_this<Relay> {
 public:
  // Binds the control port. Errors: the socket's; invalid_argument when
  // the public address is unspecified.
  static result<std::shared_ptr<Relay>> open(boost::asio::any_io_executor ex, RelayConfig config);
  Relay(boost::asio::any_io_executor ex, RelayConfig config, boost::asio::ip::tcp::acceptor acceptor);
  ~Relay();

  void start();
  // SIGTERM: tell every server to go elsewhere and take no new reservation;
  // flows go on until they end or move. idle() says when none is left.
  void drain();
  bool draining() const { return draining_; }
  bool idle() const { return flows_.empty() && waiting_.empty(); }
  void close();

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  RelayCounters counters() const;
  // How full it is, in thousandths of its limits on reservations and flows
  // (the fuller of the two): what it tells the pool of relays.
  std::uint32_t load() const;
  const RelayConfig& config() const { return config_; }

  struct ControlChannel;
  struct Reservation;
  struct WaitingFlow;
  struct Flow;

 private:
  boost::asio::awaitable<void> run_accept();
  boost::asio::awaitable<void> run_incoming(boost::asio::ip::tcp::socket socket, boost::asio::ip::address source);
  // relay_control.cpp
  // `handshake_done` gives back the handshake slot once the channel holds a
  // reservation (or is refused).
  boost::asio::awaitable<void> run_control(boost::asio::ip::tcp::socket socket, boost::asio::ip::address source,
                                           std::function<void()> handshake_done);
  boost::asio::awaitable<void> serve_control(std::shared_ptr<ControlChannel> control,
                                             std::shared_ptr<Reservation> reservation);
  boost::asio::awaitable<std::optional<Refused>> check_reserve(const Reserve& reserve, const Nonce& nonce,
                                                               const boost::asio::ip::address& source);
  std::variant<std::shared_ptr<Reservation>, Refused> take_reservation(const Reserve& reserve,
                                                                       std::shared_ptr<ControlChannel> control);
  std::variant<std::shared_ptr<Reservation>, Refused> new_reservation(const Reserve& reserve,
                                                                      const boost::asio::ip::address& source);
  void send(const std::shared_ptr<ControlChannel>& control, const Message& message);
  boost::asio::awaitable<void> run_outbox(std::shared_ptr<ControlChannel> control);
  void refuse(Refusal reason);
  boost::asio::awaitable<void> run_expiry(std::shared_ptr<Reservation> reservation);
  void remove(Reservation& reservation);
  // relay_flows.cpp
  boost::asio::awaitable<void> run_public_accept(std::shared_ptr<Reservation> reservation);
  boost::asio::awaitable<void> wait_for_join(std::shared_ptr<Reservation> reservation,
                                             std::shared_ptr<WaitingFlow> flow);
  boost::asio::awaitable<void> run_join(boost::asio::ip::tcp::socket socket, const Join& join);
  void close_flows_of(const Reservation& reservation, std::uint64_t before_epoch);

  boost::asio::any_io_executor ex_;
  RelayConfig config_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::unique_ptr<names::Client> names_;
  bool closed_ = false;
  bool draining_ = false;
  RelayCounters counters_;
  std::map<boost::asio::ip::address, std::size_t> handshakes_by_source_;
  std::map<boost::asio::ip::address, std::size_t> reservations_by_source_;
  std::map<boost::asio::ip::address, std::size_t> waiting_by_source_;
  std::size_t handshakes_ = 0;
  std::unordered_map<std::string, std::shared_ptr<Reservation>> reservations_;  // by name
  std::unordered_map<std::uint64_t, std::shared_ptr<WaitingFlow>> waiting_;      // by flow id
  std::unordered_map<std::uint64_t, std::shared_ptr<Flow>> flows_;               // spliced, by flow id
  std::uint64_t next_flow_ = 1;
};

}  // namespace msocket::proxy
