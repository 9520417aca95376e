// An in-process name service on 127.0.0.1, port 0, over a LogStore in a
// temporary directory, for the tests of the server and the client.
#pragma once

#include <unistd.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <string>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <catch2/catch.hpp>

#include "names/client.hpp"
#include "names/registry.hpp"
#include "names/server.hpp"
#include "names/log_store.hpp"

namespace names_test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using namespace msocket::names;
using namespace std::chrono_literals;

inline std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A record of `name` signed by `key`, valid for an hour.
inline Record signed_record(const SigningKey& key, const std::string& name, std::uint64_t version,
                            std::string address = "10.0.0.1:7000") {
  Record r;
  r.name = name;
  r.addresses = {std::move(address)};
  r.version = version;
  r.expires = unix_now() + 3600;
  sign(r, key);
  return r;
}

struct Service {
  explicit Service(ServerOptions options = {}) {
    fs::create_directories(dir);
    store = std::move(LogStore::open(dir).value());
    registry = std::make_unique<Registry>(*store);
    server = std::move(Server::start(context.get_executor(), *registry, std::move(options)).value());
  }
  ~Service() { fs::remove_all(dir); }

  unsigned short port() const { return server->local_endpoint().port(); }
  ServerUrl url() const { return {"127.0.0.1", std::to_string(port())}; }

  // Runs `test` to its end (20 s at most), then stops the server and lets
  // its coroutines finish. Pass a coroutine whose captures live through the
  // call: e.g. `service.run([&]() -> asio::awaitable<void> {...}())`.
  void run(asio::awaitable<void> test) {
    bool done = false;
    std::exception_ptr error;
    asio::co_spawn(context, std::move(test), [&](std::exception_ptr e) {
      error = e;
      done = true;
      server->stop();
    });
    context.run_for(20s);
    if (error) std::rethrow_exception(error);
    REQUIRE(done);
  }

  fs::path dir = fs::temp_directory_path() / ("msocket-names-" + std::to_string(::getpid()) + "-" +
                                              std::to_string(reinterpret_cast<std::uintptr_t>(this)));
  asio::io_context context;
  std::unique_ptr<LogStore> store;
  std::unique_ptr<Registry> registry;
  std::unique_ptr<Server> server;
};

// Waits (polling every 5 ms, 5 s at most) until `ready()`; throws on timeout.
// (Never co_await inside CHECK or REQUIRE: g++ 12 evaluates the awaited
// call a second time for the macro's unevaluated copy of the expression.)
template <class Predicate>
asio::awaitable<void> eventually(Predicate ready) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int i = 0; i < 1000 && !ready(); ++i) {
    timer.expires_after(5ms);
    co_await timer.async_wait(asio::use_awaitable);
  }
  if (!ready()) throw std::runtime_error("timed out after 5 s waiting for a condition");
}

struct RawAnswer {
  unsigned status = 0;
  std::string body;
};

// One request on a connection of its own, with no help from the Client.
inline asio::awaitable<RawAnswer> raw_request(unsigned short port, http::verb method, std::string target,
                                              std::string body = {}) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(10s);
  co_await stream.async_connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port), asio::use_awaitable);
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.body() = std::move(body);
  request.prepare_payload();
  co_await http::async_write(stream, request, asio::use_awaitable);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  co_await http::async_read(stream, buffer, response, asio::use_awaitable);
  co_return RawAnswer{response.result_int(), response.body()};
}

// Bytes written as they are, then everything read until the server closes.
inline asio::awaitable<std::string> raw_bytes(unsigned short port, std::string bytes) {
  beast::tcp_stream stream(co_await asio::this_coro::executor);
  stream.expires_after(10s);
  co_await stream.async_connect(asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), port), asio::use_awaitable);
  co_await asio::async_write(stream, asio::buffer(bytes), asio::use_awaitable);
  std::string answer;
  boost::system::error_code ec;  // the end of the answer
  co_await asio::async_read(stream, asio::dynamic_buffer(answer), asio::redirect_error(asio::use_awaitable, ec));
  co_return answer;
}

// A port nothing listens on: bound, never listened, then closed.
inline ServerUrl dead_server() {
  asio::io_context context;
  asio::ip::tcp::acceptor acceptor(context, {asio::ip::address_v4::loopback(), 0});
  return {"127.0.0.1", std::to_string(acceptor.local_endpoint().port())};
}

// A front end that dies holding a watch: it takes one connection, reads
// the request, and closes the connection and itself; `dropped` says it has.
// It must outlive its coroutine: wait for `dropped` before it goes.
class DyingFrontEnd {
 public:
  explicit DyingFrontEnd(const asio::any_io_executor& executor)
      : acceptor_(executor, {asio::ip::address_v4::loopback(), 0}),
        url_{"127.0.0.1", std::to_string(acceptor_.local_endpoint().port())} {
    asio::co_spawn(executor, drop_one(), asio::detached);
  }
  const ServerUrl& url() const { return url_; }
  bool dropped() const { return dropped_; }

 private:
  asio::awaitable<void> drop_one() {
    auto socket = co_await acceptor_.async_accept(asio::use_awaitable);
    std::array<char, 4096> request;
    co_await socket.async_read_some(asio::buffer(request), asio::use_awaitable);
    socket.close();
    acceptor_.close();
    dropped_ = true;
  }

  asio::ip::tcp::acceptor acceptor_;
  ServerUrl url_;
  bool dropped_ = false;
};

// Puts `record`, which must be stored. (Never co_await inside REQUIRE:
// g++ 12 evaluates the awaited call twice.)
inline asio::awaitable<void> put_ok(Client& client, Record record) {
  const auto stored = co_await client.put(std::move(record));
  REQUIRE(stored.has_value());
}

// One request on a connection of its own, whose answer must have `status`.
inline asio::awaitable<void> expect_status(unsigned status, unsigned short port, http::verb method, std::string target,
                                    std::string body = {}) {
  const auto answer = co_await raw_request(port, method, std::move(target), std::move(body));
  CHECK(answer.status == status);
}

}  // namespace names_test
