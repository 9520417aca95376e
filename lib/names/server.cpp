// The name server's connections: accepting within the limits, reading
// requests under deadlines, writing answers (server_requests.cpp makes them).
#include "names/server.hpp"

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/json.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "server_state.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

Server::State::State(asio::any_io_executor executor, Registry& registry, ServerOptions options)
    : executor(executor),
      acceptor(executor),
      registry(registry),
      options(std::move(options)),
      connection_slots(0, this->options.max_connections_per_address),
      watch_slots(this->options.max_watches, this->options.max_watches_per_address),
      update_limiter(this->options.update_rate) {}

std::int64_t Server::State::now() const {
  if (options.clock) return options.clock();
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::uint64_t Server::State::changes_of(const std::string& name) const {
  return change_counts[std::hash<std::string>{}(name) % change_counts.size()];
}

void Server::State::notify(const std::string& name) {
  if (name.empty()) {
    for (auto& count : change_counts) ++count;
    for (auto& [watched, waiter] : watches) {
      if (waiter->everything_woken) *waiter->everything_woken = true;
      waiter->timer.cancel();
    }
    return;
  }
  ++change_counts[std::hash<std::string>{}(name) % change_counts.size()];
  auto [first, last] = watches.equal_range(name);
  for (auto it = first; it != last; ++it) {
    if (it->second->woken) it->second->woken->insert(name);
    it->second->timer.cancel();
  }
}

namespace {

using State = Server::State;

// Keeps a connection in State::connections while it lives.
class TrackedConnection {
 public:
  TrackedConnection(State& state, beast::tcp_stream& stream) : state_(state), stream_(stream) {
    state_.connections.insert(&stream_);
  }
  ~TrackedConnection() { state_.connections.erase(&stream_); }
  TrackedConnection(const TrackedConnection&) = delete;
  TrackedConnection& operator=(const TrackedConnection&) = delete;

 private:
  State& state_;
  beast::tcp_stream& stream_;
};

Peer peer_of(const tcp::socket& socket) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return {};
  const auto address = source_address(remote.address());
  return {address, address.to_string() + ":" + std::to_string(remote.port())};
}

// Reads one whole request, all of it within options.request_timeout.
asio::awaitable<error_code> read_request(const ServerOptions& options, beast::tcp_stream& stream,
                                         beast::flat_buffer& buffer, http::request_parser<http::string_body>& parser) {
  stream.expires_after(options.request_timeout);
  auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
  if (ec) co_return ec;
  // The parser took the larger limit, that of a watch of many names; any
  // other request has the smaller one (set before a byte of body is parsed).
  const auto& header = parser.get();
  const bool watching_many = header.method() == http::verb::post && path_of(header.target()) == kWatchPrefix;
  const std::size_t limit = watching_many ? options.watch_body_limit : options.body_limit;
  parser.body_limit(limit);
  if (const auto length = parser.content_length(); length && *length > limit) co_return http::error::body_limit;
  // curl sends "Expect: 100-continue" with larger bodies and waits for this.
  if (beast::iequals(parser.get()[http::field::expect], "100-continue")) {
    http::response<http::empty_body> go_on{http::status::continue_, 11};
    auto [wec, wn] = co_await http::async_write(stream, go_on, use_tuple);
    if (wec) co_return wec;
  }
  if (parser.is_done()) co_return error_code{};
  auto [bec, bn] = co_await http::async_read(stream, buffer, parser, use_tuple);
  co_return bec;
}

// What to answer a request that could not be read; nullopt: just close.
std::optional<http::status> refusal_for(error_code ec) {
  if (ec == http::error::body_limit) return http::status::payload_too_large;
  if (ec == http::error::header_limit) return http::status::request_header_fields_too_large;
  if (ec == http::error::end_of_stream || ec == http::error::partial_message) return std::nullopt;
  if (ec.category() == make_error_code(http::error::bad_method).category()) return http::status::bad_request;
  return std::nullopt;  // timeout, reset: nobody to answer
}

// Answers `why` and closes. What the client sends is read and dropped for a
// while first: closing with unread data would send a reset that could
// destroy the answer before the client reads it.
asio::awaitable<void> refuse_and_close(const ServerOptions& options, beast::tcp_stream& stream, http::status status,
                                       std::string why) {
  auto response = reply(11, false, status, json::object{{"error", why}});
  if (status == http::status::too_many_requests) response.set(http::field::retry_after, "1");
  stream.expires_after(options.write_timeout);
  auto [ec, n] = co_await http::async_write(stream, response, use_tuple);
  if (ec) co_return;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  stream.expires_after(std::chrono::seconds(1));
  std::array<char, 16 * 1024> sink;
  for (std::size_t dropped = 0; dropped < (1u << 20);) {
    auto [rec, got] = co_await stream.async_read_some(asio::buffer(sink), use_tuple);
    if (rec) break;
    dropped += got;
  }
}

// Completes when the client sends more bytes (left unread), or with the
// error that ends the connection, such as the reset of a client that
// abandons its watch. A half-close is no such event: the client has sent
// all it will and still waits for the answer, so this then waits until
// cancelled. (Nothing is read here: a peek leaves the bytes, or the end of
// the stream, for the next read to find.)
asio::awaitable<error_code> next_bytes(beast::tcp_stream& stream) {
  auto& socket = stream.socket();
  for (;;) {
    auto [ec] = co_await socket.async_wait(tcp::socket::wait_read, use_tuple);
    if (ec) co_return ec;
    char first = 0;
    const auto peeked = ::recv(socket.native_handle(), &first, 1, MSG_PEEK | MSG_DONTWAIT);
    if (peeked > 0) co_return error_code{};
    if (peeked == 0) break;  // the half-close
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      co_return error_code(errno, boost::system::system_category());
  }
  asio::steady_timer never(stream.get_executor(), asio::steady_timer::time_point::max());
  auto [cancelled] = co_await never.async_wait(use_tuple);
  co_return cancelled;
}

// The answer to a watch, or 204 at once when the client sends its next
// request on the connection before the watch ends: a client that watches
// other names now pipelines its new watch, and the held one must not keep
// it waiting (docs/protocol.md §6.3). nullopt if the connection failed
// (e.g. was reset): the watch ends with it, and so does its slot.
asio::awaitable<std::optional<Response>> answer_watch_or_next(std::shared_ptr<State> state, beast::tcp_stream& stream,
                                                              beast::flat_buffer& buffer, const Request& request,
                                                              const Peer& peer) {
  if (buffer.size() > 0) co_return no_content(request);  // the next request came with this one
  stream.expires_never();  // the watch has its own deadline
  auto answering = answer(state, request, peer);
  auto arriving = next_bytes(stream);
  auto outcome = co_await first_of(answering, arriving);
  if (outcome.index() == 0) co_return std::move(std::get<0>(outcome));
  if (std::get<1>(outcome)) co_return std::nullopt;
  co_return no_content(request);
}

// The requests of one connection, one after another, until it ends.
asio::awaitable<void> serve_requests(std::shared_ptr<State> state, beast::tcp_stream& stream, const Peer& peer) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(std::max(state->options.body_limit, state->options.watch_body_limit));
    parser.header_limit(static_cast<std::uint32_t>(state->options.header_limit));
    const auto read_error = co_await read_request(state->options, stream, buffer, parser);
    if (state->stopped) co_return;
    if (read_error) {
      log::names()->debug("connection from {} ends: {}", peer.text, read_error.message());
      if (const auto status = refusal_for(read_error)) {
        auto refusing = refuse_and_close(state->options, stream, *status, read_error.message());
        co_await std::move(refusing);
      }
      co_return;
    }
    const auto request = parser.release();
    std::optional<Response> response;
    if (std::string_view(request.target()).starts_with(kWatchPrefix)) {
      auto holding = answer_watch_or_next(state, stream, buffer, request, peer);
      response = co_await std::move(holding);
      if (!response) break;  // the client has gone
    } else {
      // Made in a statement of its own: g++ 12 destroys the temporaries of a
      // co_await expression (here the copy of `state`) twice when the
      // coroutine is destroyed suspended, as a held watch is at shutdown.
      auto answering = answer(state, request, peer);
      response = co_await std::move(answering);
    }
    if (state->stopped) co_return;
    stream.expires_after(state->options.write_timeout);
    auto [write_error, n] = co_await http::async_write(stream, *response, use_tuple);
    if (write_error || !response->keep_alive()) break;
  }
  error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

// One connection, within its source address's share of connections: beyond
// it, the connection is told so and closed. (The address's slot is taken
// here, not passed in: g++ 12 may relocate a coroutine's by-value arguments
// bitwise, which a slot, given back on destruction, cannot survive.)
asio::awaitable<void> serve_connection(std::shared_ptr<State> state, tcp::socket socket) {
  const auto peer = peer_of(socket);
  beast::tcp_stream stream(std::move(socket));
  TrackedConnection tracked(*state, stream);
  AddressSlots::Slot slot;
  if (state->connection_slots.take(peer.address, slot) != AddressSlots::Refusal::none) {
    log::names()->debug("refusing a connection from {}: {} open from there", peer.text,
                        state->connection_slots.held_by(peer.address));
    auto why = "too many connections from this address: at most " + std::to_string(state->connection_slots.per_address());
    auto refusing = refuse_and_close(state->options, stream, http::status::too_many_requests, std::move(why));
    co_await std::move(refusing);
    co_return;
  }
  auto serving = serve_requests(state, stream, peer);
  co_await std::move(serving);
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
  while (!state->stopped) {
    auto [ec, socket] = co_await state->acceptor.async_accept(use_tuple);
    if (state->stopped) break;
    if (!ec) ++state->accepted;
    if (ec) {
      // E.g. out of descriptors: pause rather than spin.
      log::names()->warn("accept: {}", ec.message());
      asio::steady_timer pause(state->executor, std::chrono::milliseconds(100));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (state->connections.size() >= state->options.max_connections) {
      log::names()->warn("{} connections open: closing a new one", state->connections.size());
      continue;  // `socket` closes as it goes out of scope
    }
    asio::co_spawn(state->executor, serve_connection(state, std::move(socket)),
                   LogCoroutineFailure(log::names(), "a name service connection"));
  }
}

}  // namespace

result<std::unique_ptr<Server>> Server::start(asio::any_io_executor executor, Registry& registry,
                                              ServerOptions options) {
  auto state = std::make_shared<State>(executor, registry, std::move(options));
  auto& acceptor = state->acceptor;
  const auto endpoint = state->options.listen;
  error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) set_close_on_exec(acceptor.native_handle());
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return ec;
  asio::co_spawn(executor, accept_loop(state), LogCoroutineFailure(log::names(), "the name service accept loop"));
  // Changes reach the watches from the store, whoever made them: another
  // front end of a shared store, as well as this one.
  registry.store().on_change([weak = std::weak_ptr<State>(state)](const std::string& name) {
    if (const auto alive = weak.lock()) alive->notify(name);
  });
  return std::unique_ptr<Server>(new Server(std::move(state)));
}

Server::~Server() { stop(); }

tcp::endpoint Server::local_endpoint() const {
  error_code ec;
  return state_->acceptor.local_endpoint(ec);
}

void Server::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  state_->registry.store().on_change({});
  error_code ec;
  state_->acceptor.close(ec);
  for (auto* stream : state_->connections) stream->close();
  for (auto& [name, waiter] : state_->watches) waiter->timer.cancel();
}

std::size_t Server::connection_count() const { return state_->connections.size(); }
std::size_t Server::watch_count() const { return state_->watches_waiting; }
std::size_t Server::accepted_count() const { return state_->accepted; }

}  // namespace msocket::names
