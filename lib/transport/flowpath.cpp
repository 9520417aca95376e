// The two coroutines of a flowpath: the reader feeds frames to the session,
// the writer sends what the session says is due.
#include "transport/flowpath.hpp"

#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "log.hpp"
#include "transport/connection.hpp"
#include "transport/handshake.hpp"
#include "wire/codec.hpp"

namespace msocket::transport {

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
// Large enough for several maximum frames, so one read or write carries many.
constexpr std::size_t kIoBufferSize = 256 * 1024;
}  // namespace

Flowpath::Flowpath(PathId path_id, tcp::socket s)
    : id(path_id), socket(std::move(s)), wake(socket.get_executor()) {
  boost::system::error_code ignored;
  local = socket.local_endpoint(ignored);
  remote = socket.remote_endpoint(ignored);
  local_text = to_string(local);
}

void Flowpath::close() {
  if (closed) return;
  closed = true;
  boost::system::error_code ignored;
  // §3.4: a TCP FIN tells a peer in time_wait that closure is complete, so a
  // path given up before our own time_wait must end with a reset instead.
  if (!shutdown_sent) socket.set_option(tcp::socket::linger(true, 0), ignored);
  socket.close(ignored);
  wake.cancel();
}

void Flowpath::close_gracefully() {
  boost::system::error_code ignored;
  if (!shutdown_sent) socket.shutdown(tcp::socket::shutdown_send, ignored);
  shutdown_sent = true;
  close();
}

asio::awaitable<void> Connection::run_reader(std::shared_ptr<Flowpath> path) {
  auto self = shared_from_this();
  std::vector<std::byte> buffer(kIoBufferSize);
  std::size_t have = 0;
  while (!path->closed) {
    auto [ec, n] = co_await path->socket.async_read_some(
        asio::buffer(buffer.data() + have, buffer.size() - have), use_tuple);
    if (!is_current(path) || finished_) co_return;
    if (ec) {
      if (ec == asio::error::eof && session_.state() == session::State::time_wait) {
        session_.path_eof(path->id, Clock::now());
        path->close_gracefully();
        flowpaths_.erase(path->id);
      } else {
        close_path(path->id, MigrationCause::path_failure,
                   ec == asio::error::eof ? std::string("peer closed the flowpath") : ec.message());
      }
      update();
      co_return;
    }
    have += n;
    std::size_t used = 0;
    const auto now = Clock::now();
    while (true) {
      auto decoded = wire::decode(std::span(buffer).subspan(used, have - used));
      if (!decoded) {
        if (decoded.error() == errc::need_more) break;
        // A malformed frame costs this flowpath only (docs/protocol.md §2).
        log::transport()->warn("conn={} path={} malformed frame: {}", to_hex(id_),
                               to_int(path->id), decoded.error().message());
        close_path(path->id, MigrationCause::path_failure, "malformed frame");
        update();
        co_return;
      }
      if (auto fec = session_.on_frame(path->id, decoded->frame, now)) {
        log::transport()->warn("conn={} path={} protocol violation: {}", to_hex(id_),
                               to_int(path->id), fec.message());
        close_path(path->id, MigrationCause::path_failure, "protocol violation");
        update();
        co_return;
      }
      used += decoded->consumed;
    }
    if (used > 0) {
      std::memmove(buffer.data(), buffer.data() + used, have - used);
      have -= used;
    }
    update();
  }
}

asio::awaitable<void> Connection::run_writer(std::shared_ptr<Flowpath> path) {
  auto self = shared_from_this();
  std::vector<std::byte> buffer(kIoBufferSize);
  while (!path->closed && !finished_) {
    // Nothing may follow our TCP FIN.
    const std::size_t n =
        path->shutdown_sent ? 0 : session_.poll_transmit(path->id, buffer, Clock::now());
    if (n > 0) {
      auto [ec, written] = co_await asio::async_write(path->socket, asio::buffer(buffer.data(), n), use_tuple);
      if (!is_current(path) || finished_) co_return;
      if (ec) {
        close_path(path->id, MigrationCause::path_failure, ec.message());
        update();
        co_return;
      }
      continue;
    }
    // §3.4: in time_wait our last ack is out; the TCP FIN now tells the peer
    // it may free the connection.
    if (session_.state() == session::State::time_wait && !path->shutdown_sent) {
      boost::system::error_code ignored;
      path->socket.shutdown(tcp::socket::shutdown_send, ignored);
      path->shutdown_sent = true;
    }
    path->wake.expires_at(TimePoint::max());
    co_await path->wake.async_wait(use_tuple);
  }
}

}  // namespace msocket::transport
