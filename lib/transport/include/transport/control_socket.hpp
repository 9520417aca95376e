// The UDP control socket of a process (docs/protocol.md §2.7): where a
// server that moved sends RECONNECT to its clients. One per io_context,
// shared by every client connection on it, instead of one per connection:
// a process holding thousands of connections then holds one descriptor and
// one port for them, not thousands. Opened on first use; each datagram goes
// to the connection whose id it names, which checks it (§4): a datagram
// for an unknown id is dropped. It is open while a connection (or a
// connect in progress) holds a lease on it, and closed with the last: an
// io_context whose connections are all gone runs out of work.
//
// One port for both families (IPv6 that hears IPv4 too, where the host has
// IPv6), so that RECONNECT still reaches a client that moved from one
// family to the other. Without the socket a connection still works; it
// finds a moved server by its name only.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <unordered_map>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "msocket/types.hpp"

namespace msocket::transport {

namespace asio = boost::asio;

class ControlSocket : public asio::execution_context::service {
 public:
  using Handler =
      std::function<void(std::span<const std::byte> datagram, const asio::ip::udp::endpoint& from)>;

  static inline asio::execution_context::id id;
  explicit ControlSocket(asio::execution_context& context) : service(context) {}

  // The instance of `ex`'s execution context.
  static ControlSocket& of(const asio::any_io_executor& ex);

  // Keeps the socket open while it lives.
  class Lease {
   public:
    Lease(ControlSocket& owner, std::uint16_t port) : owner_(owner), port_(port) {}
    ~Lease() { owner_.release(); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    std::uint16_t port() const { return port_; }

   private:
    ControlSocket& owner_;
    std::uint16_t port_;
  };

  // Opens the socket on `ex` if it is not open, and holds it open; null
  // when it cannot be opened (logged at debug).
  std::unique_ptr<Lease> open(const asio::any_io_executor& ex);
  // Datagrams that name connection `conn` go to `handler` until forget().
  // False if another connection of this process holds that id.
  bool listen_for(ConnId conn, Handler handler);
  void forget(ConnId conn);
  // Best effort: a lost datagram is sent again by its sender's retry.
  void send_to(std::span<const std::byte> datagram, const asio::ip::udp::endpoint& to);
  std::size_t listeners() const;

 private:
  void shutdown() override;
  void release();
  void receive();
  void deliver(std::size_t size);
  void drain();

  mutable std::mutex mutex_;
  std::optional<asio::ip::udp::socket> socket_;
  bool shut_down_ = false;
  std::size_t leases_ = 0;
  std::uint64_t generation_ = 0;  // of the socket open now: completions of a closed one are dropped
  std::array<std::byte, 256> buffer_{};  // a RECONNECT is smaller
  asio::ip::udp::endpoint from_;
  std::unordered_map<std::uint64_t, Handler> handlers_;
};

}  // namespace msocket::transport
