// HTTP with Boost.Beast over msocket: msocket::stream is an Asio stream
// (AsyncReadStream, AsyncWriteStream), so Beast's http::async_read and
// async_write run on it unchanged. This program plays both ends on
// 127.0.0.1: a tiny HTTP server on an msocket::acceptor, and a client that
// GETs /hello from it and prints the status and the body.
//
// usage: http_over_msocket
#include <cstdio>
#include <exception>
#include <string>

#include <boost/asio.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <msocket/acceptor.hpp>
#include <msocket/connect.hpp>

#include "report.hpp"

namespace asio = boost::asio;
namespace http = boost::beast::http;
using boost::system::error_code;

namespace {

const report_exception report{"http_over_msocket"};

// Answers one request with 200 and a short text, then closes.
asio::awaitable<void> serve_one(msocket::acceptor& acceptor) {
  auto [accept_error, stream] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
  if (accept_error) co_return;
  boost::beast::flat_buffer buffer;
  http::request<http::string_body> request;
  auto [read_error, n] = co_await http::async_read(stream, buffer, request, asio::as_tuple(asio::use_awaitable));
  if (read_error) co_return;
  http::response<http::string_body> response(http::status::ok, request.version());
  response.set(http::field::content_type, "text/plain");
  response.body() = "hello over msocket, you asked for " + std::string(request.target()) + "\n";
  response.prepare_payload();
  co_await http::async_write(stream, response, asio::as_tuple(asio::use_awaitable));
  stream.shutdown_write();
  co_await stream.async_wait_closed(asio::as_tuple(asio::use_awaitable));
}

// GETs /hello from 127.0.0.1:port; prints "status: CODE" and the body.
asio::awaitable<int> get_hello(unsigned short port) {
  auto ex = co_await asio::this_coro::executor;
  auto [connect_error, stream] = co_await msocket::async_connect(ex, "127.0.0.1", std::to_string(port), {},
                                                                 asio::as_tuple(asio::use_awaitable));
  if (connect_error) {
    std::fprintf(stderr, "http_over_msocket: connect: %s\n", connect_error.message().c_str());
    co_return 1;
  }
  http::request<http::empty_body> request(http::verb::get, "/hello", 11);
  request.set(http::field::host, "127.0.0.1");
  auto [write_error, written] = co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  auto [read_error, n] = co_await http::async_read(stream, buffer, response, asio::as_tuple(asio::use_awaitable));
  if (write_error || read_error) {
    std::fprintf(stderr, "http_over_msocket: %s\n", (write_error ? write_error : read_error).message().c_str());
    co_return 1;
  }
  std::printf("status: %u\n%s", response.result_int(), response.body().c_str());
  stream.shutdown_write();
  co_await stream.async_wait_closed(asio::as_tuple(asio::use_awaitable));
  co_return 0;
}

}  // namespace

int main() {
  asio::io_context context;
  auto acceptor = msocket::acceptor::open(context.get_executor(), {asio::ip::make_address("127.0.0.1"), 0});
  if (!acceptor) {
    std::fprintf(stderr, "http_over_msocket: %s\n", acceptor.error().message().c_str());
    return 1;
  }
  // The listener keeps watching this host's addresses: once both ends are
  // done, the program stops its io_context rather than wait for it to run dry.
  int status = 1, running = 2;
  const auto one_done = [&] {
    if (--running == 0) context.stop();
  };
  asio::co_spawn(context, serve_one(*acceptor), [&](std::exception_ptr error) {
    report(error);
    one_done();
  });
  asio::co_spawn(context, get_hello(acceptor->local_endpoint().port()), [&](std::exception_ptr error, int result) {
    report(error);
    status = error ? 1 : result;
    one_done();
  });
  context.run_for(std::chrono::seconds(20));
  return status;
}
