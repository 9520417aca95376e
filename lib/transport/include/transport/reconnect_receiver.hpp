// A client connection's ear on the process's UDP control socket
// (docs/protocol.md §2.7, control_socket.hpp): where a server that moved
// sends RECONNECT{its new address}. Authentic ones are acknowledged; a fresh
// one (not a retry, not an old one played again) is reported, and the path
// manager moves the flowpaths there.
#pragma once

#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include "session/auth.hpp"
#include "transport/control_socket.hpp"

namespace msocket::transport {

class ReconnectReceiver : public std::enable_shared_from_this<ReconnectReceiver> {
 public:
  using OnMove = std::function<void(const boost::asio::ip::tcp::endpoint& where)>;
  // `auth` (the connection's) must outlive every call but close()'s
  // aftermath: nothing reaches it once closed.
  // `lease`: the process's control socket, held open (its port went in NEW).
  ReconnectReceiver(boost::asio::any_io_executor ex, std::unique_ptr<ControlSocket::Lease> lease, ConnId connection,
                    session::ControlAuth& auth, OnMove moved);
  // Listens for the connection's datagrams; false if another connection of
  // this process has the same id.
  bool start();
  void close();
  // The port our SETUPs announce as the control address (0: none).
  std::uint16_t port() const { return lease_ ? lease_->port() : 0; }

 private:
  void on_datagram(std::span<const std::byte> datagram, const boost::asio::ip::udp::endpoint& from);

  boost::asio::any_io_executor ex_;
  std::unique_ptr<ControlSocket::Lease> lease_;
  ConnId connection_;
  session::ControlAuth& auth_;
  OnMove moved_;
  bool listening_ = false;
};

}  // namespace msocket::transport
