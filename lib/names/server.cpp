#include "names/server.hpp"

#include <array>
#include <charconv>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using SteadyClock = std::chrono::steady_clock;

struct Server::State {
  State(asio::any_io_executor executor, Registry& registry, ServerOptions options)
      : executor(executor), acceptor(executor), registry(registry), options(std::move(options)) {}

  std::int64_t now() const {
    if (options.clock) return options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // Wakes the watches held on `name`; each looks at the registry again.
  void notify(const std::string& name) {
    auto [first, last] = watches.equal_range(name);
    for (auto it = first; it != last; ++it) it->second->cancel();
  }

  asio::any_io_executor executor;
  tcp::acceptor acceptor;
  Registry& registry;
  ServerOptions options;
  bool stopped = false;
  std::set<beast::tcp_stream*> connections;  // so that stop() can close them
  std::multimap<std::string, asio::steady_timer*> watches;
};

namespace {

using State = Server::State;
constexpr std::string_view kNamesPrefix = "/v1/names/";
constexpr std::string_view kWatchPrefix = "/v1/watch/";

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

// Keeps a held watch's timer in State::watches while it waits.
class TrackedWatch {
 public:
  TrackedWatch(State& state, const std::string& name, asio::steady_timer& timer)
      : state_(state), entry_(state.watches.emplace(name, &timer)) {}
  ~TrackedWatch() { state_.watches.erase(entry_); }
  TrackedWatch(const TrackedWatch&) = delete;
  TrackedWatch& operator=(const TrackedWatch&) = delete;

 private:
  State& state_;
  std::multimap<std::string, asio::steady_timer*>::iterator entry_;
};

// Logs what escapes a coroutine instead of losing it (STYLE.md, "Errors").
Response reply(unsigned version, bool keep_alive, http::status status, const json::value& body) {
  Response response{status, version};
  response.set(http::field::server, "mnamed");
  response.set(http::field::content_type, "application/json");
  response.keep_alive(keep_alive);
  response.body() = json::serialize(body) + "\n";
  response.prepare_payload();
  return response;
}

Response reply(const Request& request, http::status status, const json::value& body) {
  return reply(request.version(), request.keep_alive(), status, body);
}

Response refuse(const Request& request, http::status status, std::string_view why) {
  return reply(request, status, json::object{{"error", why}});
}

http::status status_of(Verdict verdict) {
  switch (verdict) {
    case Verdict::accepted: return http::status::ok;
    case Verdict::bad_signature: return http::status::forbidden;
    case Verdict::wrong_owner: return http::status::forbidden;
    case Verdict::stale_version: return http::status::conflict;
    case Verdict::expired: return http::status::unprocessable_entity;
    case Verdict::unknown_name: return http::status::not_found;
    case Verdict::storage_failed: return http::status::internal_server_error;
  }
  return http::status::internal_server_error;
}

// The record in a PUT or DELETE body, or nullopt with the reason in `why`.
std::optional<Record> parse_record(std::string_view body, const std::string& name, std::string& why) {
  error_code ec;
  const auto value = json::parse(body, ec);
  if (ec) {
    why = "body is not JSON: " + ec.message();
    return std::nullopt;
  }
  auto record = from_json(value);
  if (!record) {
    why = "malformed record: a field is missing, mistyped or out of range";
    return std::nullopt;
  }
  if (record->name != name) {
    why = "the record is for another name than the URL's";
    return std::nullopt;
  }
  return std::move(*record);
}

Response put_or_erase(State& state, const Request& request, const std::string& name, const std::string& peer) {
  const bool erase = request.method() == http::verb::delete_;
  std::string why;
  const auto record = parse_record(request.body(), name, why);
  if (!record) {
    log::names()->warn("refused {} {} from {}: {}", erase ? "DELETE" : "PUT", name, peer, why);
    return refuse(request, http::status::bad_request, why);
  }
  const auto verdict = erase ? state.registry.erase(*record, state.now()) : state.registry.put(*record, state.now());
  if (verdict != Verdict::accepted) {
    log::names()->warn("refused {} {} version {} from {}: {}", erase ? "DELETE" : "PUT", name, record->version, peer,
                       describe(verdict));
    return refuse(request, status_of(verdict), describe(verdict));
  }
  log::names()->info("{} {} version {} ({} addresses) from {}", erase ? "deleted" : "stored", name, record->version,
                     record->addresses.size(), peer);
  state.notify(name);
  if (erase) return reply(request, http::status::ok, json::object{{"name", name}, {"deleted", true}});
  return reply(request, http::status::ok, to_json(*record));
}

// GET /v1/watch/NAME: see server.hpp. Suspends until the answer is known.
asio::awaitable<Response> watch(std::shared_ptr<State> state, const Request& request, std::string name,
                                std::uint64_t after, std::chrono::seconds wait) {
  const auto deadline = SteadyClock::now() + wait;
  asio::steady_timer timer(state->executor);
  for (;;) {
    const auto now = state->now();
    const auto record = state->registry.get(name, now);
    if (record && record->version > after) co_return reply(request, http::status::ok, to_json(*record));
    if (!record && after > 0) co_return refuse(request, http::status::gone, "the name was deleted or has expired");
    const auto steady_now = SteadyClock::now();
    if (steady_now >= deadline) {
      Response response{http::status::no_content, request.version()};
      response.set(http::field::server, "mnamed");
      response.keep_alive(request.keep_alive());
      co_return response;
    }
    // Also wake when the record expires, so its watchers learn of the lapse.
    auto until = deadline;
    if (record) until = std::min(until, steady_now + std::chrono::seconds(record->expires - now));
    timer.expires_at(until);
    TrackedWatch tracked(*state, name, timer);
    co_await timer.async_wait(use_tuple);
    if (state->stopped) co_return refuse(request, http::status::service_unavailable, "the server is stopping");
  }
}

// Reads `?after=V&wait=S`; false if a value is not a number.
bool parse_watch_query(std::string_view query, const ServerOptions& options, std::uint64_t& after,
                       std::chrono::seconds& wait) {
  wait = options.watch_wait;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    const auto key = pair.substr(0, eq), value = pair.substr(eq + 1);
    std::uint64_t number = 0;
    if (key != "after" && key != "wait") continue;  // unknown parameters are ignored
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (ec != std::errc() || end != value.data() + value.size()) return false;
    if (key == "after") after = number;
    else wait = std::chrono::seconds(std::min<std::uint64_t>(number, options.max_watch_wait.count()));
  }
  return true;
}

// The answer to one request. Suspends only for a watch.
asio::awaitable<Response> answer(std::shared_ptr<State> state, const Request& request, const std::string& peer) {
  const std::string_view target = request.target();
  const auto question = target.find('?');
  const auto path = target.substr(0, question);
  const auto query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  const bool naming = path.starts_with(kNamesPrefix), watching = path.starts_with(kWatchPrefix);
  if (!naming && !watching) co_return refuse(request, http::status::not_found, "no such endpoint (see mnamed(8))");
  const std::string name(path.substr(naming ? kNamesPrefix.size() : kWatchPrefix.size()));
  const auto method = request.method();
  const bool allowed = method == http::verb::get || (naming && (method == http::verb::put || method == http::verb::delete_));
  if (!allowed) {
    auto response = refuse(request, http::status::method_not_allowed, "method not allowed here");
    response.set(http::field::allow, naming ? "GET, PUT, DELETE" : "GET");
    co_return response;
  }
  if (!valid_name(name)) co_return refuse(request, http::status::bad_request, "invalid name");
  if (watching) {
    std::uint64_t after = 0;
    std::chrono::seconds wait{};
    if (!parse_watch_query(query, state->options, after, wait))
      co_return refuse(request, http::status::bad_request, "after and wait must be whole numbers");
    co_return co_await watch(state, request, name, after, wait);
  }
  if (method != http::verb::get) co_return put_or_erase(*state, request, name, peer);
  if (auto record = state->registry.get(name, state->now())) co_return reply(request, http::status::ok, to_json(*record));
  co_return refuse(request, http::status::not_found, describe(Verdict::unknown_name));
}

// Reads one whole request, all of it within options.request_timeout.
asio::awaitable<error_code> read_request(const ServerOptions& options, beast::tcp_stream& stream,
                                         beast::flat_buffer& buffer, http::request_parser<http::string_body>& parser) {
  stream.expires_after(options.request_timeout);
  auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
  if (ec) co_return ec;
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

// Answers an unreadable request and closes. The rest of the request is read
// and dropped for a while first: closing with unread data would send a reset
// that could destroy the answer before the client reads it.
asio::awaitable<void> refuse_and_close(const ServerOptions& options, beast::tcp_stream& stream, http::status status,
                                       error_code why) {
  auto response = reply(11, false, status, json::object{{"error", why.message()}});
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

asio::awaitable<void> serve_connection(std::shared_ptr<State> state, tcp::socket socket) {
  error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  const std::string peer = ec ? "?" : remote.address().to_string() + ":" + std::to_string(remote.port());
  beast::tcp_stream stream(std::move(socket));
  TrackedConnection tracked(*state, stream);
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(state->options.body_limit);
    parser.header_limit(static_cast<std::uint32_t>(state->options.header_limit));
    const auto read_error = co_await read_request(state->options, stream, buffer, parser);
    if (state->stopped) co_return;
    if (read_error) {
      log::names()->debug("connection from {} ends: {}", peer, read_error.message());
      if (const auto status = refusal_for(read_error)) co_await refuse_and_close(state->options, stream, *status, read_error);
      co_return;
    }
    const auto request = parser.release();
    auto response = co_await answer(state, request, peer);
    if (state->stopped) co_return;
    stream.expires_after(state->options.write_timeout);
    auto [write_error, n] = co_await http::async_write(stream, response, use_tuple);
    if (write_error || !response.keep_alive()) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> accept_loop(std::shared_ptr<State> state) {
  while (!state->stopped) {
    auto [ec, socket] = co_await state->acceptor.async_accept(use_tuple);
    if (state->stopped) break;
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
    asio::co_spawn(state->executor, serve_connection(state, std::move(socket)), LogCoroutineFailure(log::names(), "a name service connection"));
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
  error_code ec;
  state_->acceptor.close(ec);
  for (auto* stream : state_->connections) stream->close();
  for (auto& [name, timer] : state_->watches) timer->cancel();
}

std::size_t Server::connection_count() const { return state_->connections.size(); }
std::size_t Server::watch_count() const { return state_->watches.size(); }

}  // namespace msocket::names
