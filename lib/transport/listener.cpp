#include "transport/listener.hpp"
#include "transport/fast_open.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/fd_limit.hpp"
#include "core/log.hpp"
#include "session/identity.hpp"
#include "session/record_cipher.hpp"
#include "transport/handshake.hpp"
#include "wire/codec.hpp"

namespace msocket::transport {

namespace {
constexpr std::size_t kMaxUnaccepted = 128;    // new connections the application has not taken

const char* kind_name(std::uint8_t code) {
  switch (static_cast<wire::SetupKind>(code)) {
    case wire::SetupKind::new_connection: return "NEW";
    case wire::SetupKind::add_path: return "ADD_PATH";
    case wire::SetupKind::migrate: return "MIGRATE";
  }
  return "SETUP";
}

PathPriority priority_asked(const wire::Setup& setup) {
  return (setup.flags & wire::kSetupBackup) != 0 ? PathPriority::backup : PathPriority::regular;
}

wire::SetupAckFrame answer_to(const wire::Setup& setup, wire::SetupStatus status) {
  wire::SetupAckFrame answer;
  answer.code = static_cast<std::uint8_t>(status);
  answer.conn_id = setup.conn_id;
  answer.path_id = setup.path_id;
  answer.counter = setup.counter;
  return answer;
}
}  // namespace

result<std::shared_ptr<Listener>> Listener::open(asio::any_io_executor ex, const tcp::endpoint& endpoint,
                                                 const Options& options) {
  (void)raise_fd_limit(fd_limits().hard);  // as far as an unprivileged process may
  tcp::acceptor acceptor(ex);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) set_close_on_exec(acceptor.native_handle());
  // "::" hears IPv4 too (as IPv4-mapped addresses), so that a client that
  // moves between the families reaches the same listener; unless asked for
  // IPv6 only (mcat -6).
  if (!ec && endpoint.address().is_v6() && endpoint.address().is_unspecified())
    acceptor.set_option(asio::ip::v6_only(options.ipv6_only), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  if (options.fast_open) accept_fast_open(acceptor);
  return std::make_shared<Listener>(ex, std::move(acceptor), options);
}

Listener::Listener(asio::any_io_executor ex, tcp::acceptor acceptor, const Options& options)
    : ex_(ex), acceptor_(std::move(acceptor)), options_(options) {}

Listener::~Listener() = default;

void Listener::start() {
  asio::co_spawn(ex_, run_accept(), log_coroutine_exception);
  if (options_.server_mobility) start_server_mobility();
}

tcp::endpoint Listener::local_endpoint() const {
  boost::system::error_code ignored;
  return acceptor_.local_endpoint(ignored);
}

void Listener::close() {
  closed_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  stop_server_mobility();
  if (waiter_) {
    asio::post(ex_, asio::append(std::move(*waiter_), error_code(asio::error::operation_aborted),
                                 std::shared_ptr<Connection>{}));
    waiter_.reset();
  }
}

void Listener::async_accept(AcceptHandler handler) {
  if (!ready_.empty()) {
    auto conn = std::move(ready_.front());
    ready_.pop_front();
    asio::post(ex_, asio::append(std::move(handler), error_code{}, std::move(conn)));
  } else if (closed_) {
    asio::post(ex_, asio::append(std::move(handler), error_code(asio::error::operation_aborted),
                                 std::shared_ptr<Connection>{}));
  } else {
    waiter_ = std::move(handler);
  }
}

void Listener::deliver(std::shared_ptr<Connection> conn) {
  if (waiter_) {
    auto handler = std::move(*waiter_);
    waiter_.reset();
    asio::post(ex_, asio::append(std::move(handler), error_code{}, std::move(conn)));
  } else {
    ready_.push_back(std::move(conn));
  }
}

asio::awaitable<void> Listener::run_accept() {
  auto self = shared_from_this();
  while (!closed_) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (closed_) break;
    if (ec == asio::error::no_descriptors) {
      // The connections held fill the limit of open files: say which, and
      // what would lift it. Wait a little instead of spinning.
      const auto limits = fd_limits();
      log::transport()->warn("accept failed: {} (the limit of open files is {}, its hard limit {}; each connection "
                             "takes one: raise the hard limit, ulimit -Hn, as root)",
                             ec.message(), limits.soft, limits.hard);
      asio::steady_timer pause(ex_, 100ms);
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (ec) {
      // Out of memory and the like: wait a little instead of spinning.
      log::transport()->warn("accept failed: {}", ec.message());
      asio::steady_timer pause(ex_, 100ms);
      co_await pause.async_wait(use_tuple);
      continue;
    }
    set_close_on_exec(socket.native_handle());
    boost::system::error_code peer_ec;
    const auto peer = socket.remote_endpoint(peer_ec);
    // No slot: the socket closes as it goes out of scope. One source cannot
    // take the slots of all (§4.5).
    if (peer_ec || !admission_.begin_handshake(peer.address())) continue;
    asio::co_spawn(ex_, run_handshake(std::move(socket), peer.address(), {}), log_coroutine_exception);
  }
}

void Listener::set_relays(std::vector<tcp::endpoint> relays) {
  relayed_ = true;
  if (relays == relays_) return;
  relays_ = std::move(relays);
  for (auto& [id, entry] : connections_)
    if (auto conn = entry.connection.lock()) conn->advertise_relays(relays_);
}

void Listener::adopt(tcp::socket socket, const asio::ip::address& source) {
  if (closed_) return;
  set_close_on_exec(socket.native_handle());
  const auto from = source_of(source);
  if (!admission_.begin_handshake(from)) {
    log::transport()->info("refused a relayed flowpath from {}: no handshake slot", from.to_string());
    return;
  }
  boost::system::error_code ignored;
  auto via = from.to_string() + " via relay " + to_string(socket.remote_endpoint(ignored));
  asio::co_spawn(ex_, run_handshake(std::move(socket), from, std::move(via)), log_coroutine_exception);
}

asio::awaitable<void> Listener::run_handshake(tcp::socket socket, asio::ip::address source, std::string peer) {
  auto self = shared_from_this();
  struct Done {
    Admission& admission;
    asio::ip::address source;
    ~Done() { admission.end_handshake(source); }
  } done{admission_, source};
  boost::system::error_code ignored;
  if (peer.empty()) peer = to_string(socket.remote_endpoint(ignored));
  auto frame = co_await read_setup(socket, options_.handshake_timeout);
  if (closed_) co_return;
  const auto* setup = frame ? std::get_if<wire::SetupFrame>(&*frame) : nullptr;
  if (!frame && frame.error() == errc::bad_version) {
    // A v1 client: an answer in its own format that it reports as
    // "unsupported protocol version".
    const auto answer = wire::version_answer();
    co_await asio::async_write(socket, asio::buffer(answer), use_tuple);
    log::transport()->warn("refused a client of protocol v1 from {}: this is protocol v{}", peer, wire::kVersion);
    co_return;
  }
  if (!setup) {
    log::transport()->info("rejected flowpath from {}: {}", peer,
                           frame ? "first frame is not SETUP" : frame.error().message());
    co_return;
  }
  if (setup->code == static_cast<std::uint8_t>(wire::SetupKind::new_connection))
    co_await admit_new(std::move(socket), *setup, source_of(source), peer);
  else if (setup->code == static_cast<std::uint8_t>(wire::SetupKind::migrate) ||
           setup->code == static_cast<std::uint8_t>(wire::SetupKind::add_path))
    co_await admit_path(std::move(socket), *setup, peer);
  else
    log::transport()->info("rejected flowpath from {}: unknown SETUP kind {}", peer, setup->code);
}

// §4.2: the cipher of a NEW, or the refusal to send. Both ends must want
// encryption, or both must not.
std::optional<wire::SetupStatus> Listener::choose_cipher(const wire::Setup& setup, std::uint8_t& cipher) const {
  if (!options_.encrypt) {
    cipher = wire::kCipherNone;
    if (setup.cipher != wire::kCipherNone) return wire::SetupStatus::encryption_refused;
    return std::nullopt;
  }
  if (setup.cipher == wire::kCipherNone) return wire::SetupStatus::encryption_required;
  cipher = session::choose_cipher(setup.cipher);
  if (cipher == wire::kCipherNone) return wire::SetupStatus::bad_auth;  // no cipher in common
  return std::nullopt;
}

// New connections from `source` that hold no flowpath, or whose client has
// not shown it holds the keys yet (§4.5).
std::size_t Listener::idle_from(const asio::ip::address& source) const {
  std::size_t n = 0;
  for (const auto& [id, entry] : connections_) {
    if (entry.source != source) continue;
    const auto conn = entry.connection.lock();
    if (conn && (!conn->confirmed() || !conn->session().has_live_path())) ++n;
  }
  return n;
}

namespace {
const char* describe_refusal(wire::SetupStatus status) {
  switch (status) {
    case wire::SetupStatus::encryption_required: return "it asked for no encryption (--no-encrypt)";
    case wire::SetupStatus::encryption_refused: return "it asked for encryption, and we run with --no-encrypt";
    default: return "no cipher in common";
  }
}
}  // namespace

asio::awaitable<void> Listener::admit_new(tcp::socket socket, const wire::Setup& setup,
                                          asio::ip::address source, const std::string& peer) {
  const bool crowded = idle_from(source) >= admission_.limits().idle_per_source;
  if (!accepting_ || ready_.size() >= kMaxUnaccepted || crowded) {
    co_await write_frame(socket, answer_to(setup, wire::SetupStatus::busy));
    log::transport()->info("refused new connection from {}: {}", peer,
                           crowded ? "too many idle connections from there" : "not accepting");
    co_return;
  }
  if ((setup.conn_id & 0xffffffffu) != 0 || setup.path_id != 0 || setup.ack != 0) {
    log::transport()->info("rejected flowpath from {}: malformed NEW", peer);
    co_return;
  }
  std::uint8_t cipher = wire::kCipherNone;
  if (const auto refusal = choose_cipher(setup, cipher)) {
    co_await write_frame(socket, answer_to(setup, *refusal));
    log::transport()->warn("refused new connection from {}: {}", peer, describe_refusal(*refusal));
    co_return;
  }
  const auto keys = session::generate_keypair();
  auto secret = session::derive_secret(Role::server, keys, setup.public_key);
  if (!secret) {
    co_await write_frame(socket, answer_to(setup, wire::SetupStatus::bad_auth));
    co_return;
  }
  std::uint64_t conn_id = 0;
  do {
    conn_id = (setup.conn_id & 0xffffffff00000000u) | (session::random_u32() | 1u);
  } while (connections_.count(conn_id) || admission_.buried(conn_id));

  auto answer = answer_to(setup, wire::SetupStatus::ok);
  answer.conn_id = conn_id;
  answer.window = options_.session.recv_buffer;
  answer.public_key = keys.public_key;
  answer.cipher = cipher;
  if (options_.identity) {  // §4.3: the name's owner answers, and proves it
    answer.identity = session::identity_public_key(*options_.identity);
    answer.signature = session::sign_handshake(*options_.identity, conn_id, keys.public_key, setup.public_key);
  }
  if (auto ec = co_await write_frame(socket, answer)) co_return;
  if (closed_) co_return;
  start_connection(std::move(socket), setup, ConnId{conn_id}, *secret, cipher, source, peer);
}

void Listener::start_connection(tcp::socket socket, const wire::Setup& setup, ConnId id, const session::Secret& secret,
                                std::uint8_t cipher, const asio::ip::address& source, const std::string& peer) {
  auto conn = std::make_shared<Connection>(ex_, Role::server, id, secret, cipher, options_);
  connections_[to_int(id)] = Entry{conn, source};
  std::weak_ptr<Listener> weak = shared_from_this();
  conn->on_finished([weak](Connection& c) {
    if (auto self = weak.lock()) self->on_connection_finished(c);
  });
  // §3.1: the application gets the connection once the client has shown it
  // holds the keys; a NEW and a reset never starts a child (mcat -e).
  // Unless it asked for it at once (Options::accept_unconfirmed).
  if (!options_.accept_unconfirmed) {
    conn->on_confirmed([weak](Connection& c) {
      if (auto self = weak.lock()) self->deliver(c.shared_from_this());
    });
  }
  note_peer_control(*conn, setup, socket);
  conn->attach_path(PathId{0}, std::move(socket), 0, setup.ack, setup.window, priority_asked(setup));
  // Listening on every address: the client may reach us at another one
  // from another network (docs/protocol.md §2.8).
  boost::system::error_code ec;
  if (relayed_)
    conn->advertise_relays(relays_);
  else if (const auto bound = acceptor_.local_endpoint(ec); !ec && bound.address().is_unspecified())
    conn->advertise_addresses(bound.port());
  log::transport()->info("accepted conn={} from {} cipher={}", to_hex(conn->id()), peer, session::cipher_name(cipher));
  if (options_.accept_unconfirmed) deliver(conn);
}

asio::awaitable<void> Listener::admit_path(tcp::socket socket, const wire::Setup& setup,
                                           const std::string& peer) {
  const char* kind = kind_name(setup.code);
  auto it = connections_.find(setup.conn_id);
  auto conn = it == connections_.end() ? nullptr : it->second.connection.lock();
  if (!conn || conn->session().done()) {
    co_await answer_unknown(socket, setup, kind, peer);
    co_return;
  }
  if (setup.cipher != conn->cipher()) {
    log::transport()->warn("refused {} conn={} from {}: cipher {} is not the connection's", kind, to_hex(conn->id()), peer,
                           setup.cipher);
    co_await write_frame(socket, answer_to(setup, wire::SetupStatus::bad_auth));
    co_return;
  }
  // §4: only the holder of the connection secret may move a flowpath, and
  // only with a counter newer than any seen, so a recorded MIGRATE cannot be
  // replayed to pull the connection back to an old address.
  if (const auto refused = conn->auth().accept_request(setup)) {
    const bool replayed = refused == errc::replayed;
    log::transport()->warn("refused {} conn={} from {}: {} (counter {}, newest {})", kind, to_hex(conn->id()), peer,
                           replayed ? "replayed" : "authentication failed", setup.counter,
                           conn->auth().newest_accepted());
    co_await write_frame(socket, answer_to(setup, replayed ? wire::SetupStatus::replayed : wire::SetupStatus::bad_auth));
    co_return;
  }
  auto answer = answer_to(setup, wire::SetupStatus::ok);
  answer.ack = conn->session().recv_ack();
  answer.window = conn->session().recv_window();
  answer.cipher = conn->cipher();
  conn->auth().sign_answer(answer);
  if (auto ec = co_await write_frame(socket, answer)) co_return;
  if (conn->session().done()) co_return;
  note_peer_control(*conn, setup, socket);
  conn->attach_path(PathId{setup.path_id}, std::move(socket), setup.counter, setup.ack, setup.window,
                    priority_asked(setup));
  log::transport()->info("{} conn={} path={} from {}", kind, to_hex(conn->id()), setup.path_id, peer);
}

// §2.1: a zero control IP means "where this flowpath comes from".
void Listener::note_peer_control(Connection& conn, const wire::Setup& setup, const tcp::socket& socket) {
  if (setup.control.port == 0) return;
  auto ip = address_of(setup.control);
  boost::system::error_code ec;
  if (ip.is_unspecified()) ip = socket.remote_endpoint(ec).address();
  if (!ec) conn.set_peer_control(asio::ip::udp::endpoint(ip, setup.control.port));
}

// §3.4: `closed` for a connection we buried, with a MAC made with its
// secret, so the client can tell it from a stranger's word; otherwise
// `unknown_connection`, which nobody can authenticate.
asio::awaitable<void> Listener::answer_unknown(tcp::socket& socket, const wire::Setup& setup, const char* kind,
                                               const std::string& peer) {
  const auto secret = admission_.tombstone(setup.conn_id, Clock::now());
  log::transport()->info("{} from {} for conn={}: {}", kind, peer, to_hex(ConnId{setup.conn_id}),
                         secret ? "already closed" : "unknown connection");
  auto answer = answer_to(setup, secret ? wire::SetupStatus::closed : wire::SetupStatus::unknown_connection);
  if (secret) {
    answer.cipher = setup.cipher;
    answer.mac = session::setup_mac(*secret, answer, true);
  }
  co_await write_frame(socket, answer);
}

void Listener::on_connection_finished(Connection& conn) {
  const auto id = to_int(conn.id());
  connections_.erase(id);
  stranded_.erase(id);
  if (conn.session().state() != session::State::closed) return;
  admission_.bury(id, conn.secret(), Clock::now());
}

}  // namespace msocket::transport
