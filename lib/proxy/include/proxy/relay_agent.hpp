// A listener's side of one relay (docs/protocol.md §5): keeps a control
// channel open to the relay from behind NAT, holds the reservation of the
// name (proved with its key), renews it, and for each client flowpath the
// relay announces dials back with the matching Join, then hands the socket
// on as if it had been accepted. Reconnects with backoff; at once when this
// host's network changes. Call from one thread (the executor's).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "msocket/types.hpp"
#include "names/record.hpp"
#include "proxy/control_message.hpp"

namespace msocket::proxy {

struct AgentSettings {
  Duration connect_timeout = std::chrono::seconds(5);
  Duration answer_timeout = std::chrono::seconds(5);
  Duration first_retry = std::chrono::milliseconds(250);
  Duration longest_retry = std::chrono::seconds(5);
};

// True if a TCP connection to the relay's control port ("HOST:PORT")
// opens within `timeout` (it is closed at once): how near a relay is.
boost::asio::awaitable<bool> probe_relay(boost::asio::any_io_executor ex, const std::string& relay, Duration timeout);

class RelayAgent : public std::enable_shared_from_this<RelayAgent> {
 public:
  // A client's flowpath through the relay: our half, joined; `client` is
  // the client's address as the relay saw it.
  using FlowpathHandler = std::function<void(boost::asio::ip::tcp::socket socket, boost::asio::ip::address client)>;
  // address(), draining() or failure() changed.
  using ChangeHandler = std::function<void()>;

  // `relay`: "HOST:PORT" of the relay's control port.
  RelayAgent(boost::asio::any_io_executor ex, std::string relay, std::string name, names::SigningKey key,
             FlowpathHandler on_flowpath, ChangeHandler on_change, AgentSettings settings = {});
  ~RelayAgent();

  void start();
  void stop();
  // This host's addresses changed: the control channel from the old one
  // is likely dead; open a new one now instead of waiting to notice.
  void network_changed();
  // Whether a control channel is up and leaves from `address` (an address
  // of this host that is going away takes such a channel with it).
  bool leaves_from(const boost::asio::ip::address& address) const;
  // Whether a control channel is up.
  bool connected() const { return control_ != nullptr; }

  const std::string& relay() const { return relay_; }
  // Where clients reach us through this relay: while reserved and not
  // draining.
  std::optional<std::string> address() const;
  bool draining() const { return draining_; }
  // Whether the relay has answered at least once (reserved or refused), or
  // the agent failed to reach it at least once.
  bool settled() const { return settled_; }
  // Why there is no reservation now (a refusal or a network error); empty
  // while reserved.
  boost::system::error_code failure() const { return failure_; }
  // A refusal that retrying cannot mend (not the name's owner): the agent
  // has stopped.
  bool given_up() const { return given_up_; }

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<boost::system::error_code> connect(boost::asio::ip::tcp::socket& socket);
  boost::asio::awaitable<boost::system::error_code> reserve(boost::asio::ip::tcp::socket& socket, Duration& ttl);
  boost::asio::awaitable<void> serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket, Duration ttl);
  boost::asio::awaitable<void> run_renewals(std::shared_ptr<boost::asio::ip::tcp::socket> socket, Duration every);
  boost::asio::awaitable<void> open_half(Open open);
  void set_failure(boost::system::error_code ec);
  void notify();

  boost::asio::any_io_executor ex_;
  std::string relay_;
  std::string name_;
  names::SigningKey key_;
  FlowpathHandler on_flowpath_;
  ChangeHandler on_change_;
  AgentSettings settings_;
  std::optional<boost::asio::ip::tcp::endpoint> relay_endpoint_;  // resolved, where halves are dialled
  boost::asio::ip::tcp::socket* control_ = nullptr;               // while connected
  boost::asio::steady_timer retry_;
  boost::asio::steady_timer renew_;
  std::optional<std::string> address_;
  boost::system::error_code failure_;
  bool draining_ = false;
  bool settled_ = false;
  bool given_up_ = false;
  bool stopped_ = false;
  bool retry_now_ = false;
};

}  // namespace msocket::proxy
