#include "transport/reconnect_receiver.hpp"

#include "core/log.hpp"
#include "transport/connection.hpp"
#include "transport/control_socket.hpp"
#include "transport/handshake.hpp"
#include "wire/reconnect.hpp"

namespace msocket::transport {

ReconnectReceiver::ReconnectReceiver(asio::any_io_executor ex, std::unique_ptr<ControlSocket::Lease> lease,
                                     ConnId connection, session::ControlAuth& auth, OnMove moved)
    : ex_(std::move(ex)), lease_(std::move(lease)), connection_(connection), auth_(auth), moved_(std::move(moved)) {}

bool ReconnectReceiver::start() {
  auto& control = ControlSocket::of(ex_);
  std::weak_ptr<ReconnectReceiver> weak = shared_from_this();
  listening_ = control.listen_for(connection_, [weak](std::span<const std::byte> datagram, const asio::ip::udp::endpoint& from) {
    if (auto self = weak.lock()) self->on_datagram(datagram, from);
  });
  if (!listening_) {
    log::transport()->warn("conn={} shares its id with another connection here: no RECONNECT for it", to_hex(connection_));
    return false;
  }
  return true;
}

void ReconnectReceiver::close() {
  if (std::exchange(listening_, false)) ControlSocket::of(ex_).forget(connection_);
  lease_.reset();  // the last one closes the socket
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
  ControlSocket::of(ex_).send_to(ack, from);  // a lost ack is sent again on the retry
  if (verdict == Verdict::repeat) return;                 // a retry of one we acted on
  const tcp::endpoint where(address_of(frame->address), frame->address.port);
  log::transport()->info("conn={} RECONNECT: peer now at {}", to_hex(connection_), to_string(where));
  moved_(where);
}

}  // namespace msocket::transport
