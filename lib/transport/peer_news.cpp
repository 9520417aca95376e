// News from the peer that the transport itself reads: a RECONNECT on the
// client's UDP control socket after the server moved (docs/protocol.md §2.7,
// paper §III-B3), and the ADDRESSES frame where a server offers flowpaths
// (§2.8); and our own ADDRESSES, written on a flowpath when due. What to do
// with the news is the path manager's.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "transport/connection.hpp"
#include "transport/flowpath.hpp"
#include "transport/handshake.hpp"
#include "wire/codec.hpp"
#include "wire/reconnect.hpp"

namespace msocket::transport {

void Connection::set_control_socket(asio::ip::udp::socket socket) {
  control_ = std::make_unique<asio::ip::udp::socket>(std::move(socket));
  asio::co_spawn(ex_, run_control(), log_coroutine_exception);
}

asio::awaitable<void> Connection::run_control() {
  auto self = shared_from_this();
  std::array<std::byte, 256> buffer;
  asio::ip::udp::endpoint from;
  while (!finished_ && control_) {
    auto [ec, n] = co_await control_->async_receive_from(asio::buffer(buffer), from,
                                                         asio::as_tuple(asio::use_awaitable));
    if (finished_) break;
    if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) break;
    if (ec) continue;  // e.g. an ICMP error for an earlier ack
    on_control_datagram(std::span(buffer).first(n), from);
  }
}

void Connection::on_control_datagram(std::span<const std::byte> datagram, const asio::ip::udp::endpoint& from) {
  auto frame = wire::decode_reconnect(datagram);
  if (!frame || frame->is_ack || frame->conn_id != to_int(id_)) {
    log::transport()->debug("conn={} ignored a control datagram from {}: {}", to_hex(id_), to_string(from),
                            !frame ? frame.error().message() : "not a RECONNECT for this connection");
    return;
  }
  // §4: only the peer holds the secret, and an old RECONNECT replayed must
  // not pull us back to an address the peer has left.
  const auto verdict = auth_.accept_reconnect(*frame);
  using Verdict = session::ControlAuth::Verdict;
  if (verdict == Verdict::forged) {
    log::transport()->warn("conn={} RECONNECT from {} not authentic: ignored", to_hex(id_), to_string(from));
    return;
  }
  if (verdict == Verdict::stale) return;
  const auto ack = wire::encode(auth_.reconnect_ack(*frame));
  error_code ignored;
  control_->send_to(asio::buffer(ack), from, 0, ignored);  // a lost ack is sent again on the retry
  if (verdict == Verdict::repeat) return;                  // a retry of one we acted on
  const tcp::endpoint where(address_of(frame->address), frame->address.port);
  log::transport()->info("conn={} RECONNECT: peer now at {}", to_hex(id_), to_string(where));
  // The server sends RECONNECT only once it has dropped our flowpaths.
  peer_moved({where}, "RECONNECT", true);
}

void Connection::on_peer_addresses(const wire::AddressesFrame& frame) {
  Locator::Endpoints offered;
  std::string text;
  for (std::size_t i = 0; i < frame.count; ++i) {
    const auto a = address_of(wire::ControlAddress{frame.ips[i], 0});
    offered.emplace_back(a, frame.port);
    text += (text.empty() ? "" : " ") + a.to_string();
  }
  log::transport()->debug("conn={} peer's addresses: {} (port {})", to_hex(id_), text, frame.port);
  const auto before = paths_.peer_offers();
  const auto decisions = paths_.peer_addresses(offered, Clock::now());
  if (paths_.peer_offers() != before)
    log::transport()->info("conn={} peer offers flowpaths at {} port {}", to_hex(id_), text, frame.port);
  execute(decisions);
}

std::size_t Connection::take_advert(Flowpath& path, std::span<std::byte> out) {
  if (!advert_pending_ || !advert_) return 0;
  const auto n = wire::encode(*advert_, out);
  if (n == 0) return 0;
  advert_pending_ = false;
  path.transport_bytes += n;  // not the session's: TCP's acks of it are not deliveries
  return n;
}

}  // namespace msocket::transport
