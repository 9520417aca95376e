// msocket::stream: one msocket connection as an Asio stream. It models
// AsyncReadStream and AsyncWriteStream, so asio::async_read, async_write,
// Beast and friends work on it unchanged. Its bytes survive the moves of
// either end; see docs/protocol.md.
//
// Use it from the thread that runs its executor (one io_context thread).
#pragma once

#include <memory>
#include <span>

#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>

#include "transport/connection.hpp"

namespace msocket {

using Options = transport::Options;
using Stats = transport::Stats;

class stream {
 public:
  using executor_type = boost::asio::any_io_executor;

  stream() = default;
  explicit stream(std::shared_ptr<transport::Connection> connection)
      : connection_(std::move(connection)) {}

  executor_type get_executor() const { return connection_->get_executor(); }
  bool is_open() const { return connection_ != nullptr; }

  // Reads some bytes into the first non-empty buffer. Completes with
  // asio::error::eof once the peer has shut down writing and every byte is
  // read, or with the connection's error (e.g. errc::linger_expired).
  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    auto buffer = first_buffer<boost::asio::mutable_buffer>(buffers);
    return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
        [connection = connection_, buffer](auto handler) {
          connection->async_read_some(
              std::span(static_cast<std::byte*>(buffer.data()), buffer.size()), std::move(handler));
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
          connection->async_write_some(
              std::span(static_cast<const std::byte*>(buffer.data()), buffer.size()), std::move(handler));
        },
        token);
  }

  // Completes when both directions are finished and the peer has agreed
  // (closed), or with the error that ended the connection.
  template <class Token>
  auto async_wait_closed(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code)>(
        [connection = connection_](auto handler) { connection->async_wait_closed(std::move(handler)); },
        token);
  }

  // Half-close: the peer reads EOF after the bytes already written; reading
  // goes on.
  void shutdown_write() { connection_->shutdown_write(); }
  // Drops the connection at once; the peer sees connection_reset.
  void abort() { connection_->abort(); }
  // Moves every flowpath now (client side), as a mobility event would.
  void migrate() { connection_->migrate(); }

  Stats stats() const { return connection_->stats(); }
  ConnId id() const { return connection_->id(); }
  transport::Connection& connection() { return *connection_; }

 private:
  template <class Buffer, class Sequence>
  static Buffer first_buffer(const Sequence& buffers) {
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
      Buffer b(*it);
      if (b.size() > 0) return b;
    }
    return Buffer();
  }

  std::shared_ptr<transport::Connection> connection_;
};

}  // namespace msocket
