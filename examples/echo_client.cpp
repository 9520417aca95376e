// A client that connects by name: it looks NAME up in the name service
// (retrying until the server has registered), sends MESSAGE, shuts down
// writing and prints what comes back, all in one C++20 coroutine. Opened by
// name, the connection follows the server's moves as well as this host's.
//
// usage: echo_client NAME SERVICE_URL MESSAGE
#include <array>
#include <chrono>
#include <cstdio>
#include <exception>
#include <string>

#include <boost/asio.hpp>

#include <msocket/connect.hpp>

namespace asio = boost::asio;

namespace {

// Sends `message`, then prints everything the server sends until EOF.
asio::awaitable<int> exchange(std::string name, std::string service_url, std::string message) {
  msocket::Options options;
  options.name_service.assign(service_url);
  options.connect_deadline = std::chrono::seconds(10);  // the name may not be registered yet
  auto ex = co_await asio::this_coro::executor;
  // An empty port: the one in the name's record.
  auto [connect_error, stream] =
      co_await msocket::async_connect(ex, name, "", options, asio::as_tuple(asio::use_awaitable));
  if (connect_error) {
    std::fprintf(stderr, "echo_client: %s: %s\n", name.c_str(), connect_error.message().c_str());
    co_return 1;
  }
  auto [write_error, written] =
      co_await asio::async_write(stream, asio::buffer(message), asio::as_tuple(asio::use_awaitable));
  if (write_error) co_return 1;
  stream.shutdown_write();
  std::array<char, 16384> buffer;
  for (;;) {
    auto [read_error, n] = co_await stream.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (read_error == asio::error::eof) break;
    if (read_error) {
      std::fprintf(stderr, "echo_client: %s\n", read_error.message().c_str());
      co_return 1;
    }
    std::fwrite(buffer.data(), 1, n, stdout);
  }
  co_await stream.async_wait_closed(asio::as_tuple(asio::use_awaitable));
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: echo_client NAME SERVICE_URL MESSAGE\n");
    return 2;
  }
  asio::io_context context;
  int status = 1;
  asio::co_spawn(context, exchange(argv[1], argv[2], argv[3]), [&](std::exception_ptr error, int result) {
    status = error ? 1 : result;
  });
  context.run();
  return status;
}
