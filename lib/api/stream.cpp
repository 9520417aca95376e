#include "msocket/stream.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/system_executor.hpp>

#include "api/stream_access.hpp"

namespace msocket {

namespace asio = boost::asio;
using error_code = boost::system::error_code;

namespace {

// Completes `handler` with not_connected, not from inside the initiating
// call (Asio's rule), on the handler's associated executor. Asio 1.81
// cannot post to a type-erased handler's executor: the system executor,
// which is also a stream's that is not open, hands it on.
template <class Handler, class... Values>
void fail_not_connected(Handler handler, Values... values) {
  asio::post(asio::system_executor(),
             asio::append(std::move(handler), error_code(asio::error::not_connected), values...));
}

}  // namespace

stream::stream(ConnectionPtr connection) : connection_(std::move(connection)) {}

stream::executor_type stream::get_executor() const {
  // Composed operations (asio::async_write) need an executor to track their
  // work on, even when they fail at once.
  return connection_ ? connection_->get_executor() : executor_type(asio::system_executor());
}

void stream::start_read_some(const ConnectionPtr& connection, std::span<std::byte> buffer, IoHandler handler) {
  if (!connection) return fail_not_connected(std::move(handler), std::size_t{0});
  connection->async_read_some(buffer, std::move(handler));
}

void stream::start_write_some(const ConnectionPtr& connection, std::span<const std::byte> buffer,
                              IoHandler handler) {
  if (!connection) return fail_not_connected(std::move(handler), std::size_t{0});
  connection->async_write_some(buffer, std::move(handler));
}

void stream::start_read_into(const ConnectionPtr& connection, Sink sink, IoHandler handler) {
  if (!connection) return fail_not_connected(std::move(handler), std::size_t{0});
  connection->async_read_some(std::move(sink), std::move(handler));
}

void stream::start_write_from(const ConnectionPtr& connection, Source source, IoHandler handler) {
  if (!connection) return fail_not_connected(std::move(handler), std::size_t{0});
  connection->async_write_some(std::move(source), std::move(handler));
}

void stream::start_wait_closed(const ConnectionPtr& connection, WaitHandler handler) {
  if (!connection) return fail_not_connected(std::move(handler));
  connection->async_wait_closed(std::move(handler));
}

void stream::shutdown_write() {
  if (connection_) connection_->shutdown_write();
}

void stream::abort() {
  if (connection_) connection_->abort();
}

void stream::migrate() {
  if (connection_) connection_->migrate();
}

Stats stream::stats() const { return connection_ ? connection_->stats() : Stats{}; }

ConnId stream::id() const { return connection_ ? connection_->id() : ConnId{}; }

std::optional<asio::ip::tcp::endpoint> stream::local_endpoint() const {
  return connection_ ? connection_->local_endpoint() : std::nullopt;
}

std::optional<asio::ip::tcp::endpoint> stream::remote_endpoint() const {
  return connection_ ? connection_->remote_endpoint() : std::nullopt;
}

}  // namespace msocket
