// The Client's connections (client.hpp): opening one, the turn of requests
// on the one request connection, a watch's own connection, failing over to
// the next server, cancel() and reconnect().
#include "client_connection.hpp"

#include <charconv>
#include <limits>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// A request waiting for the request connection, listed in the queue while
// it lives: the one before it hands it the turn by setting `handed` and
// waking its timer.
class QueuedRequest {
 public:
  QueuedRequest(const asio::any_io_executor& executor, std::shared_ptr<Client::Shared> shared)
      : timer(executor, asio::steady_timer::time_point::max()), shared_(std::move(shared)) {
    shared_->queue.push_back(this);
  }
  ~QueuedRequest() { shared_->queue.remove(this); }
  QueuedRequest(const QueuedRequest&) = delete;
  QueuedRequest& operator=(const QueuedRequest&) = delete;
  asio::steady_timer timer;
  bool handed = false;

 private:
  std::shared_ptr<Client::Shared> shared_;
};

namespace {

// Lists a connection in Shared::busy while an operation uses it.
class Busy {
 public:
  Busy(std::shared_ptr<Client::Shared> shared, Client::Connection& connection)
      : shared_(std::move(shared)), connection_(&connection) {
    shared_->busy.insert(connection_);
  }
  ~Busy() { shared_->busy.erase(connection_); }
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  std::shared_ptr<Client::Shared> shared_;
  Client::Connection* connection_;
};

// The turn on the request connection, from take_turn() to destruction,
// where the next request in the queue gets it.
class Turn {
 public:
  explicit Turn(std::shared_ptr<Client::Shared> shared) : shared_(std::move(shared)) {}
  ~Turn() {
    if (!held) return;
    auto& queue = shared_->queue;
    if (queue.empty()) {
      shared_->turn_taken = false;
      return;
    }
    auto* next = queue.front();
    queue.pop_front();
    next->handed = true;
    next->timer.cancel();
  }
  Turn(const Turn&) = delete;
  Turn& operator=(const Turn&) = delete;
  bool held = false;

 private:
  std::shared_ptr<Client::Shared> shared_;
};

// Waits for the turn on the request connection, in the order asked; false
// if cancel() (or the coroutine's cancellation) came first.
asio::awaitable<bool> take_turn(std::shared_ptr<Client::Shared> shared, Turn& turn) {
  if (!shared->turn_taken) {
    shared->turn_taken = turn.held = true;
    co_return true;
  }
  // Woken with the turn handed, or by cancel() or our own cancellation.
  QueuedRequest queued(co_await asio::this_coro::executor, shared);
  co_await queued.timer.async_wait(use_tuple);
  turn.held = queued.handed;
  co_return queued.handed;
}

}  // namespace

asio::awaitable<result<std::unique_ptr<Client::Connection>>> open_connection(asio::any_io_executor executor,
                                                                            const ServerUrl& server, std::size_t index,
                                                                            std::chrono::milliseconds timeout) {
  std::vector<tcp::endpoint> endpoints;
  unsigned short port = 0;
  const auto* port_end = server.port.data() + server.port.size();
  if (std::from_chars(server.port.data(), port_end, port).ptr != port_end || port == 0) co_return name_error::bad_url;
  error_code not_literal;
  const auto address = asio::ip::make_address(server.host, not_literal);
  if (!not_literal) {
    // A literal address needs no resolver (nor the thread Asio runs it on).
    endpoints.emplace_back(address, port);
  } else {
    tcp::resolver resolver(executor);
    auto [resolve_error, results] = co_await resolver.async_resolve(server.host, server.port, use_tuple);
    if (resolve_error) co_return resolve_error;
    for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  }
  auto connection = std::make_unique<Client::Connection>(executor, index);
  connection->stream.expires_after(timeout);
  auto [ec, endpoint] = co_await connection->stream.async_connect(endpoints, use_tuple);
  if (ec == beast::error::timeout) co_return name_error::timeout;
  if (ec) co_return ec;
  co_return connection;
}

http::request<http::string_body> make_request(http::verb method, std::string target, std::string body) {
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::user_agent, "msocket-names");
  request.set(http::field::accept, "application/json");
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = std::move(body);
  request.keep_alive(true);
  request.prepare_payload();
  return request;
}

void with_host(http::request<http::string_body>& request, const ServerUrl& server) {
  const bool v6 = server.host.find(':') != std::string::npos;
  request.set(http::field::host, (v6 ? "[" + server.host + "]" : server.host) + ":" + server.port);
}

bool connection_closed(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec == asio::error::eof;
}

void Client::fail_over(std::size_t failed, const error_code& ec) {
  if (current_ != failed) return;  // another request moved on already
  current_ = (current_ + 1) % servers_.size();
  shared_->idle.reset();
  shared_->idle_watch.reset();
  log::names()->warn("name server {}:{} failed ({}); trying {}:{}", servers_[failed].host, servers_[failed].port,
                     ec.message(), servers_[current_].host, servers_[current_].port);
}

asio::awaitable<result<Client::Answer>> Client::exchange(http::verb method, std::string target, std::string body,
                                                         std::chrono::milliseconds timeout, std::size_t answer_limit,
                                                         bool held) {
  auto shared = shared_;
  auto request = make_request(method, std::move(target), std::move(body));
  Turn turn(shared);
  if (!held) {
    // Named, not made inside the co_await: g++ 12 destroys the temporaries
    // of a co_await expression twice when the coroutine is destroyed.
    auto taking = take_turn(shared, turn);
    const bool taken = co_await std::move(taking);
    if (!taken) co_return error_code(asio::error::operation_aborted);
  }
  const auto cancels = shared->cancels;
  auto& idle = held ? shared->idle_watch : shared->idle;
  // Each server once (and a kept-alive connection's server twice, the second
  // time on a new connection): a server that cannot be reached, or drops
  // the connection, passes the request on to the next.
  std::size_t servers_tried = 0;
  for (bool reused_failed = false;;) {
    const auto server_index = current_;
    with_host(request, servers_[server_index]);
    auto connection = std::move(idle);
    if (connection && connection->server != server_index) connection.reset();
    const bool reused = connection != nullptr;
    const auto reconnects = shared->reconnects;
    error_code ec;
    if (!connection) {
      auto opening = open_connection(executor_, servers_[server_index], server_index, options_.connect_timeout);
      auto fresh = co_await std::move(opening);
      if (fresh) connection = std::move(*fresh);
      else ec = fresh.error();
    }
    if (connection && shared->cancels != cancels) co_return error_code(asio::error::operation_aborted);
    if (connection) {
      Busy busy(shared, *connection);
      auto& stream = connection->stream;
      stream.expires_after(timeout);
      auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
      ec = write_error;
      if (!ec) {
        http::response_parser<http::string_body> parser;
        parser.body_limit(answer_limit);
        auto [read_error, read] = co_await http::async_read(stream, connection->buffer, parser, use_tuple);
        if (!read_error) {
          auto response = parser.release();
          Answer answer{response.result_int(), std::move(response.body())};
          // Kept for the next request, unless the server closes it, or
          // another (a watch's) is kept already, or we moved on meanwhile.
          if (response.keep_alive() && !idle && current_ == server_index && shared->reconnects == reconnects) {
            stream.expires_never();
            idle = std::move(connection);
          }
          co_return answer;
        }
        ec = read_error;
      }
    }
    // reconnect() closed it: again, on a new connection.
    if (shared->reconnects != reconnects && shared->cancels == cancels) continue;
    // A kept-alive connection that the server closed meanwhile (end_of_stream:
    // not a byte of answer came): once more, on a new connection.
    if (reused && !reused_failed && connection_closed(ec)) {
      reused_failed = true;
      continue;
    }
    // Cancelled by the caller, or out of servers: the error is the answer.
    const bool cancelled = ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor;
    if (cancelled || shared->cancels != cancels || ++servers_tried >= servers_.size()) {
      if (ec == beast::error::timeout) co_return name_error::timeout;
      co_return ec;
    }
    fail_over(server_index, ec);
    reused_failed = false;
  }
}

void Client::cancel() {
  ++shared_->cancels;
  shared_->idle.reset();
  shared_->idle_watch.reset();
  for (auto* connection : shared_->busy) connection->stream.close();
  // Every request waiting its turn ends too; the turn stays with the one
  // in flight, which ends and passes it on to the next request asked.
  auto queue = std::exchange(shared_->queue, {});
  for (auto* queued : queue) queued->timer.cancel();
}

void Client::reconnect() {
  ++shared_->reconnects;
  shared_->idle.reset();
  shared_->idle_watch.reset();
  for (auto* connection : shared_->busy) connection->stream.close();
}

}  // namespace msocket::names
