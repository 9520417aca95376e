// The local side of a relay: what mcat splices an msocket stream to. Standard
// input/output, a plain TCP socket (port forwarding) or a child process.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/error.hpp"
#include "relay/child_process.hpp"

namespace msocket::relay {

namespace asio = boost::asio;

class LocalEnd {
 public:
  virtual ~LocalEnd() = default;
  // Some bytes; 0 at end of input. Errors: the descriptor's.
  virtual asio::awaitable<result<std::size_t>> read(std::span<std::byte> out) = 0;
  virtual asio::awaitable<boost::system::error_code> write_all(std::span<const std::byte> bytes) = 0;
  // No more output: half-close a socket, close a pipe or stdout.
  virtual void shutdown_write() = 0;
  virtual void close() = 0;

  // I/O that never waits, for a splice that moves bytes straight between
  // this end and the connection's own buffers (no copy through a buffer of
  // its own). Ends without it (direct() false) are read and written above.
  virtual bool direct() const { return false; }
  // Until a read_now or write_now would not fail with would_block.
  virtual asio::awaitable<boost::system::error_code> wait_readable() { co_return boost::system::error_code{}; }
  virtual asio::awaitable<boost::system::error_code> wait_writable() { co_return boost::system::error_code{}; }
  // Some bytes, 0 at end of input; asio::error::would_block if none are ready.
  virtual result<std::size_t> read_now(std::span<std::byte>) {
    return boost::system::error_code(boost::asio::error::operation_not_supported);
  }
  // Some of `bytes`; asio::error::would_block if there is no room now.
  virtual result<std::size_t> write_now(std::span<const std::byte>) {
    return boost::system::error_code(boost::asio::error::operation_not_supported);
  }
};

// Standard input and output. Pipes, terminals and sockets are read without
// blocking the loop; regular files (which epoll refuses) are read directly.
std::unique_ptr<LocalEnd> make_stdio_end(asio::any_io_executor ex);

// A connected plain TCP socket.
std::unique_ptr<LocalEnd> make_socket_end(asio::ip::tcp::socket socket);

// Starts a child (spawn_child) whose stdin and stdout are one end of a
// socket pair; once the end is closed, the child is reaped when it exits
// (reap_when_exited; destroyed without close(), only if it has exited). Errors: the spawn's (e.g. no such file).
result<std::unique_ptr<LocalEnd>> make_child_end(asio::any_io_executor ex, const ChildSpec& spec);

}  // namespace msocket::relay
