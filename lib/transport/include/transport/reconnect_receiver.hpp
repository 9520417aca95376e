// The client's UDP control socket (docs/protocol.md §2.7): where a server
// that moved sends RECONNECT{its new address}. Authentic ones are
// acknowledged; a fresh one (not a retry, not an old one played again) is
// reported, and the path manager moves the flowpaths there.
#pragma once

#include <functional>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "session/auth.hpp"

namespace msocket::transport {

class ReconnectReceiver : public std::enable_shared_from_this<ReconnectReceiver> {
 public:
  using OnMove = std::function<void(const boost::asio::ip::tcp::endpoint& where)>;
  // `auth` (the connection's) must outlive every call but close()'s
  // aftermath: the loop touches nothing once closed.
  ReconnectReceiver(boost::asio::ip::udp::socket socket, ConnId connection, session::ControlAuth& auth, OnMove moved);
  void start();
  void close();
  // The port our SETUPs announce as the control address.
  std::uint16_t port() const;

 private:
  boost::asio::awaitable<void> run();
  void on_datagram(std::span<const std::byte> datagram, const boost::asio::ip::udp::endpoint& from);

  boost::asio::ip::udp::socket socket_;
  ConnId connection_;
  session::ControlAuth& auth_;
  OnMove moved_;
  bool closed_ = false;
};

}  // namespace msocket::transport
