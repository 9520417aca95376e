#include "transport/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log.hpp"
#include "transport/handshake.hpp"

namespace msocket::transport {

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
}

asio::awaitable<result<std::shared_ptr<Connection>>> connect(std::string host, std::string port,
                                                             Options options) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [ec, endpoints] = co_await resolver.async_resolve(host, port, use_tuple);
  if (ec) co_return ec;
  boost::system::error_code last = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    auto conn = co_await connect(entry.endpoint(), options);
    if (conn) co_return conn;
    log::transport()->debug("connect to {} failed: {}", to_string(entry.endpoint()),
                            conn.error().message());
    last = conn.error();
  }
  co_return last;
}

asio::awaitable<result<std::shared_ptr<Connection>>> connect(tcp::endpoint remote, Options options) {
  auto ex = co_await asio::this_coro::executor;
  auto socket = co_await connect_socket(remote, options.source, options.connect_timeout);
  if (!socket) co_return socket.error();

  // §3.1: the client proposes its half of the connection id and its key.
  const auto keys = session::generate_keypair();
  const std::uint32_t client_half = session::random_u32() | 1;
  wire::Setup request;
  request.code = static_cast<std::uint8_t>(wire::SetupKind::new_connection);
  request.conn_id = std::uint64_t{client_half} << 32;
  request.window = options.session.recv_buffer;
  request.public_key = keys.public_key;
  if (auto ec = co_await write_frame(*socket, wire::SetupFrame{request})) co_return ec;

  auto reply = co_await read_setup(*socket, options.handshake_timeout);
  if (!reply) co_return reply.error();
  const auto* answer = std::get_if<wire::SetupAckFrame>(&*reply);
  if (!answer) co_return errc::bad_frame;
  if (static_cast<wire::SetupStatus>(answer->code) != wire::SetupStatus::ok) co_return errc::refused;
  if ((answer->conn_id >> 32) != client_half || answer->path_id != 0) co_return errc::bad_frame;
  auto secret = session::derive_secret(Role::client, keys, answer->public_key);
  if (!secret) co_return secret.error();

  auto conn = std::make_shared<Connection>(ex, Role::client, ConnId{answer->conn_id}, *secret, options);
  conn->set_remote(remote);
  const auto local = socket->local_endpoint();
  conn->attach_path(PathId{0}, std::move(*socket), answer->ack, answer->window);
  log::transport()->info("connected to {} from {} conn={}", to_string(remote), to_string(local),
                         to_hex(conn->id()));
  conn->start_mobility();
  co_return conn;
}

}  // namespace msocket::transport
