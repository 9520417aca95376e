// msocket::stream: one msocket connection as an Asio stream. It models
// AsyncReadStream and AsyncWriteStream, so asio::async_read, async_write,
// Beast and friends work on it unchanged. Its bytes survive the moves of
// either end; see docs/protocol.md.
//
// Use it from the thread that runs its executor (one io_context thread).
//
// A stream that is not open (default-constructed or moved from) is safe to
// use: is_open() is false, stats() empty, id() zero; shutdown_write, abort
// and migrate do nothing; its operations complete with
// asio::error::not_connected on the handler's associated executor. It has no
// executor of its own: get_executor() is Asio's system executor, so a handler
// with no executor of its own runs on another thread.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/error.hpp"
#include "msocket/options.hpp"
#include "msocket/stats.hpp"
#include "msocket/types.hpp"

namespace msocket {

namespace transport {
class Connection;
}
namespace api {
struct StreamAccess;
}

class stream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using IoHandler = boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;
  using WaitHandler = boost::asio::any_completion_handler<void(boost::system::error_code)>;

  stream() = default;

  executor_type get_executor() const;
  bool is_open() const { return connection_ != nullptr; }

  // Reads some bytes into the first non-empty buffer. Completes with
  // asio::error::eof once the peer has shut down writing and every byte is
  // read, or with the connection's error (e.g. errc::linger_expired).
  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    auto buffer = first_buffer<boost::asio::mutable_buffer>(buffers);
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [connection = connection_, buffer](auto handler) {
          start_read_some(connection, std::span(static_cast<std::byte*>(buffer.data()), buffer.size()),
                          std::move(handler));
        },
        token);
  }

  // Copies some bytes into the connection's output buffer, waiting for room
  // (the peer acks free it). Completes with asio::error::broken_pipe after
  // shutdown_write(), or the connection's error.
  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    auto buffer = first_buffer<boost::asio::const_buffer>(buffers);
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [connection = connection_, buffer](auto handler) {
          start_write_some(connection, std::span(static_cast<const std::byte*>(buffer.data()), buffer.size()),
                           std::move(handler));
        },
        token);
  }

  // Without a copy through a buffer of the caller's: the stream lends its
  // own bytes. A Sink gets the next received bytes in order (a part of what
  // is ready) and returns how many it took; a Source gets room in the
  // output buffer and returns how many bytes it put there, 0 at the end of
  // its input. Each is called on the stream's thread, from inside the
  // stream, and must neither block for long nor call the stream; the span
  // is valid during the call only. A sink's or source's error completes the
  // operation with that error and takes nothing (e.g. would_block: wait
  // until the descriptor is ready, then ask again); a source's 0 completes
  // it with asio::error::eof. Otherwise as async_read_some and
  // async_write_some, with the number of bytes taken or put.
  using Sink = std::function<result<std::size_t>(std::span<const std::byte>)>;
  using Source = std::function<result<std::size_t>(std::span<std::byte>)>;

  template <class Token>
  auto async_read_some_into(Sink sink, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [connection = connection_](auto handler, Sink sink) {
          start_read_into(connection, std::move(sink), std::move(handler));
        },
        token, std::move(sink));
  }

  template <class Token>
  auto async_write_some_from(Source source, Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [connection = connection_](auto handler, Source source) {
          start_write_from(connection, std::move(source), std::move(handler));
        },
        token, std::move(source));
  }

  // Completes when both directions are finished and the peer has agreed
  // (closed), or with the error that ended the connection.
  template <class Token>
  auto async_wait_closed(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [connection = connection_](auto handler) { start_wait_closed(connection, std::move(handler)); }, token);
  }

  // Half-close: the peer reads EOF after the bytes already written; reading
  // goes on.
  void shutdown_write();
  // Drops the connection at once; the peer sees connection_reset.
  void abort();
  // Moves every flowpath now (client side), as a mobility event would.
  void migrate();

  Stats stats() const;
  ConnId id() const;
  // The addresses of its first flowpath. Between moves, when it has none,
  // local_endpoint() is nullopt and remote_endpoint() the peer's last known
  // address (if any); both are nullopt for a stream that is not open.
  std::optional<boost::asio::ip::tcp::endpoint> local_endpoint() const;
  std::optional<boost::asio::ip::tcp::endpoint> remote_endpoint() const;

 private:
  using ConnectionPtr = std::shared_ptr<transport::Connection>;
  friend struct api::StreamAccess;
  explicit stream(ConnectionPtr connection);

  template <class Buffer, class Sequence>
  static Buffer first_buffer(const Sequence& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
      Buffer b(*it);
      if (b.size() > 0) return b;
    }
    return Buffer();
  }

  // What the templates above start; `connection` is null for a stream that
  // is not open. They take the connection the stream had when called: with
  // a deferred token the operation starts later, perhaps after a move.
  static void start_read_some(const ConnectionPtr& connection, std::span<std::byte> buffer, IoHandler handler);
  static void start_write_some(const ConnectionPtr& connection, std::span<const std::byte> buffer,
                               IoHandler handler);
  static void start_wait_closed(const ConnectionPtr& connection, WaitHandler handler);
  static void start_read_into(const ConnectionPtr& connection, Sink sink, IoHandler handler);
  static void start_write_from(const ConnectionPtr& connection, Source source, IoHandler handler);

  ConnectionPtr connection_;
};

}  // namespace msocket
