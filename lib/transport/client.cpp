#include "transport/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "session/identity.hpp"
#include "session/record_cipher.hpp"
#include "transport/control_socket.hpp"
#include "transport/handshake.hpp"

namespace msocket::transport {

namespace {

// The NEW that opens a connection (§3.1): our half of the id, our key, and
// the ciphers we can use (none with --no-encrypt).
wire::Setup new_request(const Options& options, std::uint32_t client_half, const session::KeyPair& keys,
                        PathPriority priority, std::uint16_t control_port) {
  wire::Setup request;
  request.code = static_cast<std::uint8_t>(wire::SetupKind::new_connection);
  request.conn_id = std::uint64_t{client_half} << 32;
  if (priority == PathPriority::backup) request.flags = wire::kSetupBackup;
  request.window = options.session.recv_buffer;
  request.public_key = keys.public_key;
  request.cipher = options.encrypt ? session::ciphers_available() : wire::kCipherNone;
  if (control_port != 0) request.control = wire::ControlAddress{{}, control_port};
  return request;
}

boost::system::error_code refusal_error(wire::SetupStatus status) {
  switch (status) {
    case wire::SetupStatus::encryption_required: return errc::encryption_required;
    case wire::SetupStatus::encryption_refused: return errc::encryption_refused;
    default: return errc::refused;
  }
}

// §4.3: when we know whose server this must be, the answer must be signed
// by that key, over this very handshake.
boost::system::error_code check_identity(const wire::Setup& request, const wire::Setup& answer,
                                         const std::optional<wire::IdentityKey>& expected, const tcp::endpoint& remote) {
  if (!expected) return {};
  const bool signed_answer = answer.identity != wire::IdentityKey{};
  if (signed_answer && answer.identity == *expected &&
      session::verify_handshake(answer.identity, answer.signature, answer.conn_id, answer.public_key,
                                request.public_key))
    return {};
  const auto wanted = session::identity_to_text(*expected);
  if (!signed_answer) {
    log::transport()->error("{} proved no identity; expected key {}", to_string(remote), wanted);
    return errc::identity_missing;
  }
  log::transport()->error("{} signed with key {}{}; expected key {}", to_string(remote),
                          session::identity_to_text(answer.identity),
                          answer.identity == *expected ? " (the signature does not verify)" : "", wanted);
  return errc::identity_mismatch;
}

// One NEW handshake to `remote`; the attempt ends early when `deadline`
// completes (expires or is cancelled).
asio::awaitable<result<std::shared_ptr<Connection>>> connect_once(tcp::endpoint remote, const Options& options,
                                                                  asio::steady_timer& deadline,
                                                                  std::optional<wire::IdentityKey> expected) {
  auto ex = co_await asio::this_coro::executor;
  // The extra flowpaths' TCP handshakes run alongside this one's and the
  // NEW exchange; only their ADD_PATH waits for the connection.
  auto early = std::make_unique<EarlyConnects>(ex, remote, options);
  auto socket = co_await connect_socket(remote, options.source, deadline);
  if (!socket) co_return socket.error();

  // Where RECONNECT reaches us when the server moves (§2.7): the process's
  // one control socket, shared by its connections.
  auto control = ControlSocket::of(ex).open(ex);
  const std::uint16_t control_port = control ? control->port() : 0;

  const auto keys = session::generate_keypair();
  const std::uint32_t client_half = session::random_u32() | 1;
  const auto priority = path_priority(options, socket->local_endpoint().address());
  const auto request = new_request(options, client_half, keys, priority, control_port);
  if (auto wec = co_await write_frame(*socket, wire::SetupFrame{request})) co_return wec;

  auto reply = co_await read_setup(*socket, options.handshake_timeout);
  if (!reply) co_return reply.error();
  const auto* answer = std::get_if<wire::SetupAckFrame>(&*reply);
  if (!answer) co_return errc::bad_frame;
  const auto status = static_cast<wire::SetupStatus>(answer->code);
  if (status != wire::SetupStatus::ok) co_return refusal_error(status);
  if ((answer->conn_id >> 32) != client_half || answer->path_id != 0) co_return errc::bad_frame;
  // The server picks one of the ciphers we offered, or none if we offered none.
  const bool cipher_offered = answer->cipher == wire::kCipherNone ? request.cipher == wire::kCipherNone
                                                                  : (answer->cipher & request.cipher) == answer->cipher;
  if (!cipher_offered) co_return errc::bad_frame;
  if (auto identity_ec = check_identity(request, *answer, expected, remote)) co_return identity_ec;
  auto secret = session::derive_secret(Role::client, keys, answer->public_key);
  if (!secret) co_return secret.error();

  auto conn =
      std::make_shared<Connection>(ex, Role::client, ConnId{answer->conn_id}, *secret, answer->cipher, options);
  conn->set_remote(remote);
  if (control) conn->listen_for_reconnect(std::move(control));
  conn->adopt_early_connects(std::move(early));
  const auto local = socket->local_endpoint();
  conn->attach_path(PathId{0}, std::move(*socket), 0, answer->ack, answer->window, priority);
  log::transport()->info("connected to {} from {} conn={} cipher={}", to_string(remote), to_string(local),
                         to_hex(conn->id()), session::cipher_name(answer->cipher));
  conn->start_mobility();
  co_return conn;
}

// The key a connection by name must find: --peer-key, else the name's.
std::optional<wire::IdentityKey> expected_identity(const Options& options, const Locator& locator) {
  if (options.peer_key) return options.peer_key;
  return locator.identity();
}

// What a connect by name shares with the locator's change notifications.
struct NameConnectState {
  explicit NameConnectState(asio::any_io_executor ex) : attempt(ex) {}
  asio::steady_timer attempt;  // the attempt or pause in progress; cancelled on a change
  bool changed = false;
};
}  // namespace

asio::awaitable<result<std::shared_ptr<Connection>>> connect(std::string host, std::string port,
                                                             Options options) {
  auto ex = co_await asio::this_coro::executor;
  tcp::resolver resolver(ex);
  auto [ec, endpoints] = co_await resolver.async_resolve(host, port, use_tuple);
  if (ec) co_return ec;
  boost::system::error_code last = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    auto attempt = connect(entry.endpoint(), options);  // not inside co_await: g++ 12 (see api/connect.cpp)
    auto conn = co_await std::move(attempt);
    if (conn) co_return conn;
    log::transport()->debug("connect to {} failed: {}", to_string(entry.endpoint()),
                            conn.error().message());
    last = conn.error();
  }
  co_return last;
}

asio::awaitable<result<std::shared_ptr<Connection>>> connect(tcp::endpoint remote, Options options) {
  asio::steady_timer deadline(co_await asio::this_coro::executor, options.connect_timeout);
  co_return co_await connect_once(remote, options, deadline, options.peer_key);
}

asio::awaitable<result<std::shared_ptr<Connection>>> connect(std::shared_ptr<Locator> locator,
                                                             Options options) {
  auto ex = co_await asio::this_coro::executor;
  const auto give_up =
      Clock::now() + (options.connect_deadline > 0s ? options.connect_deadline : options.connect_timeout);
  auto state = std::make_shared<NameConnectState>(ex);
  std::weak_ptr<NameConnectState> weak = state;
  boost::system::error_code last = asio::error::host_not_found;
  Duration pause = options.retry_min;
  bool following = false;
  for (;;) {
    state->changed = false;
    auto found = co_await locator->resolve();
    if (!following) {
      // A change of the peer's record while we try its old address ends
      // that attempt at once: the old address may never answer.
      following = true;
      locator->follow([weak](const Locator::Endpoints&) {
        if (auto s = weak.lock()) {
          s->changed = true;
          s->attempt.cancel();
        }
      });
    }
    if (!found) {
      last = found.error();
      log::transport()->debug("cannot look up {}: {}", locator->describe(), last.message());
    } else {
      for (const auto& remote : *found) {
        const auto left = give_up - Clock::now();
        state->attempt.expires_after(std::max(std::min(options.connect_timeout, left), Duration(100ms)));
        auto conn = co_await connect_once(remote, options, state->attempt, expected_identity(options, *locator));
        if (conn) {
          locator->stop();
          (*conn)->set_locator(locator);
          co_return conn;
        }
        last = state->changed ? boost::system::error_code(asio::error::timed_out) : conn.error();
        log::transport()->info("connect to {} ({}) failed: {}", to_string(remote), locator->describe(),
                               state->changed ? "its address changed meanwhile" : last.message());
        if (state->changed) break;
      }
    }
    // Not who it must be (the record's key, or the server's): another
    // round would only ask the same service and servers again.
    if (last == errc::identity_mismatch || last == errc::identity_missing || locator->definitive(last)) break;
    if (Clock::now() >= give_up) break;
    if (!state->changed) {
      state->attempt.expires_after(std::min<Duration>(pause, give_up - Clock::now()));
      co_await state->attempt.async_wait(use_tuple);
      pause = std::min(pause * 2, options.retry_max);
    }
  }
  locator->stop();
  co_return last;
}

}  // namespace msocket::transport
