#include "transport/reconnect_receiver.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "transport/connection.hpp"
#include "transport/handshake.hpp"
#include "wire/reconnect.hpp"

namespace msocket::transport {

ReconnectReceiver::ReconnectReceiver(asio::ip::udp::socket socket, ConnId connection, session::ControlAuth& auth,
                                     OnMove moved)
    : socket_(std::move(socket)), connection_(connection), auth_(auth), moved_(std::move(moved)) {}

void ReconnectReceiver::start() { asio::co_spawn(socket_.get_executor(), run(), log_coroutine_exception); }

void ReconnectReceiver::close() {
  closed_ = true;
  error_code ignored;
  socket_.close(ignored);
}

std::uint16_t ReconnectReceiver::port() const {
  error_code ignored;
  return socket_.local_endpoint(ignored).port();
}

asio::awaitable<void> ReconnectReceiver::run() {
  auto self = shared_from_this();
  std::array<std::byte, 256> buffer;
  asio::ip::udp::endpoint from;
  while (!closed_) {
    auto [ec, n] = co_await socket_.async_receive_from(asio::buffer(buffer), from, asio::as_tuple(asio::use_awaitable));
    if (closed_ || ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) break;
    if (ec) continue;  // e.g. an ICMP error for an earlier ack
    on_datagram(std::span(buffer).first(n), from);
  }
}

void ReconnectReceiver::on_datagram(std::span<const std::byte> datagram, const asio::ip::udp::endpoint& from) {
  auto frame = wire::decode_reconnect(datagram);
  if (!frame || frame->is_ack || frame->conn_id != to_int(connection_)) {
    log::transport()->debug("conn={} ignored a control datagram from {}: {}", to_hex(connection_), to_string(from),
                            !frame ? frame.error().message() : "not a RECONNECT for this connection");
    return;
  }
  // §4: only the peer holds the secret, and an old RECONNECT replayed must
  // not pull us back to an address the peer has left.
  using Verdict = session::ControlAuth::Verdict;
  const auto verdict = auth_.accept_reconnect(*frame);
  if (verdict == Verdict::forged) {
    log::transport()->warn("conn={} RECONNECT from {} not authentic: ignored", to_hex(connection_), to_string(from));
    return;
  }
  if (verdict == Verdict::stale) return;
  const auto ack = wire::encode(auth_.reconnect_ack(*frame));
  error_code ignored;
  socket_.send_to(asio::buffer(ack), from, 0, ignored);  // a lost ack is sent again on the retry
  if (verdict == Verdict::repeat) return;                 // a retry of one we acted on
  const tcp::endpoint where(address_of(frame->address), frame->address.port);
  log::transport()->info("conn={} RECONNECT: peer now at {}", to_hex(connection_), to_string(where));
  moved_(where);
}

}  // namespace msocket::transport
