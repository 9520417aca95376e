#include "transport/handshake.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "paths/local_addresses.hpp"
#include "paths/path_policy.hpp"
#include "transport/fast_open.hpp"
#include "wire/codec.hpp"

namespace msocket::transport {


void tune_socket(tcp::socket& socket, Duration user_timeout) {
  boost::system::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(user_timeout).count();
  const unsigned value = static_cast<unsigned>(ms);
  ::setsockopt(socket.native_handle(), IPPROTO_TCP, TCP_USER_TIMEOUT, &value, sizeof value);
}

void bind_to_interface_of(tcp::socket& socket, const asio::ip::address& source) {
  // A source address alone does not choose the way out: the routing table
  // would send every flowpath by the default route. Multipath needs each
  // flowpath on its own interface (and a route there, as phones have one
  // default route per interface).
  if (source.is_loopback()) return;
  const auto local = paths::find_local_address(source);
  if (!local) return;
  if (::setsockopt(socket.native_handle(), SOL_SOCKET, SO_BINDTODEVICE, local->ifname.c_str(),
                   static_cast<socklen_t>(local->ifname.size())) != 0)
    log::transport()->debug("cannot bind a flowpath to {}: {}", local->ifname, std::strerror(errno));
}

PathPriority path_priority(const Options& options, const asio::ip::address& local) {
  if (options.prefer_interface.empty()) return PathPriority::regular;
  return paths::preferred_priority(options.prefer_interface.view(), paths::find_local_address(local));
}

asio::awaitable<result<tcp::socket>> connect_socket(tcp::endpoint remote,
                                                    std::optional<asio::ip::address> source,
                                                    Duration timeout) {
  asio::steady_timer deadline(co_await asio::this_coro::executor, timeout);
  co_return co_await connect_socket(remote, source, deadline);
}

asio::awaitable<result<tcp::socket>> connect_socket(tcp::endpoint remote,
                                                    std::optional<asio::ip::address> source,
                                                    asio::steady_timer& deadline, bool fast_open, bool* deferred) {
  auto ex = co_await asio::this_coro::executor;
  tcp::socket socket(ex);
  boost::system::error_code ec;
  socket.open(remote.protocol(), ec);
  if (ec) co_return ec;
  set_close_on_exec(socket.native_handle());
  if (source) {
    socket.bind(tcp::endpoint(*source, 0), ec);
    if (ec) co_return ec;
    bind_to_interface_of(socket, *source);
  }
  const bool defer = fast_open && defer_connect_for_fast_open(socket);
  if (deferred) *deferred = defer;
  auto connecting = socket.async_connect(remote, use_tuple);
  auto expiring = deadline.async_wait(use_tuple);
  auto outcome = co_await first_of(connecting, expiring);
  if (outcome.index() == 1) co_return asio::error::timed_out;
  auto [connect_ec] = std::get<0>(outcome);
  if (connect_ec) co_return connect_ec;
  co_return std::move(socket);
}

asio::awaitable<boost::system::error_code> write_frame(tcp::socket& socket,
                                                       const wire::Frame& frame) {
  std::array<std::byte, wire::kHeaderSize + wire::kSetupBodySize> buffer{};
  const auto n = wire::encode(frame, buffer);
  if (n == 0) co_return errc::bad_frame;
  auto [ec, written] = co_await asio::async_write(socket, asio::buffer(buffer.data(), n), use_tuple);
  // A deferred connect whose SYN took nothing (no room, or Fast Open
  // disabled since) says "in progress": the frame goes once it is up.
  if (ec == asio::error::in_progress && written == 0) {
    auto [wait_ec] = co_await socket.async_wait(tcp::socket::wait_write, use_tuple);
    if (wait_ec) co_return wait_ec;
    std::tie(ec, written) = co_await asio::async_write(socket, asio::buffer(buffer.data(), n), use_tuple);
  }
  (void)written;
  co_return ec;
}

asio::awaitable<result<wire::Frame>> read_setup(tcp::socket& socket, Duration timeout) {
  // SETUP and SETUP_ACK have one fixed size; reading exactly that much means
  // no byte of the data phase is consumed here. The header is checked first,
  // so a stranger sending garbage is turned away at once.
  std::array<std::byte, wire::kHeaderSize + wire::kSetupBodySize> buffer{};
  asio::steady_timer timer(socket.get_executor(), timeout);
  auto read_exactly = [&](std::span<std::byte> part) -> asio::awaitable<boost::system::error_code> {
    auto reading = asio::async_read(socket, asio::buffer(part.data(), part.size()), use_tuple);
    auto expiring = timer.async_wait(use_tuple);
    auto outcome = co_await first_of(reading, expiring);
    if (outcome.index() == 1) co_return errc::handshake_timeout;
    const auto ec = std::get<0>(std::get<0>(outcome));
    // The peer hung up instead of answering: a v1 listener does, on our
    // longer SETUP.
    if (ec == asio::error::eof || ec == asio::error::connection_reset) co_return errc::handshake_closed;
    co_return ec;
  };
  if (auto ec = co_await read_exactly(std::span(buffer).first(wire::kHeaderSize))) co_return ec;
  const auto type = static_cast<wire::FrameType>(buffer[0]);
  const bool setup_type = type == wire::FrameType::setup || type == wire::FrameType::setup_ack;
  const auto header = wire::decode(std::span(buffer).first(wire::kHeaderSize));
  // Anything but a SETUP type here is another protocol (HTTP, TLS, ...).
  if (!setup_type) co_return errc::bad_magic;
  if (!header && header.error() != errc::need_more) co_return errc::bad_frame;
  const std::uint32_t body_len = (std::to_integer<std::uint32_t>(buffer[4]) << 24) |
                                 (std::to_integer<std::uint32_t>(buffer[5]) << 16) |
                                 (std::to_integer<std::uint32_t>(buffer[6]) << 8) |
                                 std::to_integer<std::uint32_t>(buffer[7]);
  // A v1 SETUP is shorter: read it to say "v1" (bad_version), not "garbage".
  if (body_len != wire::kSetupBodySize && body_len != wire::kSetupBodySizeV1) co_return errc::bad_frame;
  if (auto ec = co_await read_exactly(std::span(buffer).subspan(wire::kHeaderSize, body_len))) co_return ec;
  auto decoded = wire::decode(std::span(buffer).first(wire::kHeaderSize + body_len));
  if (!decoded) co_return decoded.error();
  co_return decoded->frame;
}

std::string to_string(const tcp::endpoint& endpoint) {
  const auto a = endpoint.address();
  if (a.is_v6() && !a.to_v6().is_v4_mapped())
    return "[" + a.to_string() + "]:" + std::to_string(endpoint.port());
  if (a.is_v6()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string() + ":" + std::to_string(endpoint.port());
  return a.to_string() + ":" + std::to_string(endpoint.port());
}

std::string to_string(const asio::ip::udp::endpoint& endpoint) {
  return to_string(tcp::endpoint(endpoint.address(), endpoint.port()));
}

wire::ControlAddress to_wire(const asio::ip::address& address, std::uint16_t port) {
  wire::ControlAddress control;
  const auto v6 = address.is_v4() ? asio::ip::make_address_v6(asio::ip::v4_mapped, address.to_v4())
                                  : address.to_v6();
  const auto bytes = v6.to_bytes();
  std::memcpy(control.ip.data(), bytes.data(), bytes.size());
  control.port = port;
  return control;
}

asio::ip::address address_of(const wire::ControlAddress& control) {
  asio::ip::address_v6::bytes_type bytes;
  std::memcpy(bytes.data(), control.ip.data(), bytes.size());
  const asio::ip::address_v6 v6(bytes);
  if (v6.is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, v6);
  return v6;
}

}  // namespace msocket::transport
