// An echo server that clients find by name. It listens on 127.0.0.1 (any
// port), publishes that address under NAME in the name service (mnamed) with
// the name's key (msocket::name_registration), and echoes every
// connection's bytes back, one C++20 coroutine per connection, until SIGINT
// or SIGTERM. Were this host's address to change, the record would follow
// and so would its connected clients.
//
// usage: echo_server NAME SERVICE_URL KEY_FILE
//   e.g. echo_server echo.example http://127.0.0.1:5353 owner.key
#include <array>
#include <cstdio>
#include <string>

#include <boost/asio.hpp>

#include <msocket/acceptor.hpp>
#include <msocket/registration.hpp>

#include "report.hpp"

namespace asio = boost::asio;

namespace {

const report_exception report{"echo_server"};

// Echoes until the client shuts down writing, then does the same.
asio::awaitable<void> echo(msocket::stream stream) {
  std::array<char, 16384> buffer;
  for (;;) {
    auto [read_error, n] = co_await stream.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
    if (read_error == asio::error::eof) break;
    if (read_error) co_return;
    auto [write_error, written] =
        co_await asio::async_write(stream, asio::buffer(buffer, n), asio::as_tuple(asio::use_awaitable));
    if (write_error) co_return;
  }
  stream.shutdown_write();
  co_await stream.async_wait_closed(asio::as_tuple(asio::use_awaitable));
}

asio::awaitable<void> accept_all(msocket::acceptor& acceptor) {
  auto ex = co_await asio::this_coro::executor;
  for (;;) {
    auto [error, stream] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (error == asio::error::operation_aborted) co_return;
    if (!error) asio::co_spawn(ex, echo(std::move(stream)), report);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: echo_server NAME SERVICE_URL KEY_FILE\n");
    return 2;
  }
  const std::string name = argv[1], service_url = argv[2];
  auto key = msocket::name_key::load(argv[3]);
  if (!key) {
    std::fprintf(stderr, "echo_server: %s: %s\n", argv[3], key.error().message().c_str());
    return 1;
  }
  asio::io_context context;
  // Clients that connect by the name expect the server to prove it holds
  // the name's key: the acceptor signs its handshakes with it.
  msocket::Options options;
  key->sign_handshakes(options);
  auto acceptor =
      msocket::acceptor::open(context.get_executor(), {asio::ip::make_address("127.0.0.1"), 0}, options);
  if (!acceptor) {
    std::fprintf(stderr, "echo_server: %s\n", acceptor.error().message().c_str());
    return 1;
  }
  const auto listening = acceptor->local_endpoint();
  std::printf("listening on %s:%u\n", listening.address().to_string().c_str(), listening.port());

  // Keeps the record current until the program ends (its destructor stops it).
  msocket::name_registration registration;
  msocket::name_registration::async_register(
      context.get_executor(), service_url, *key, name, listening,
      [&](boost::system::error_code error, msocket::name_registration done) {
        if (error) {
          std::fprintf(stderr, "echo_server: registering %s: %s\n", name.c_str(), error.message().c_str());
          context.stop();
          return;
        }
        registration = std::move(done);
        std::printf("registered %s\n", name.c_str());
        std::fflush(stdout);
      });
  std::fflush(stdout);

  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int) {
    registration.stop();
    acceptor->close();
    context.stop();
  });
  asio::co_spawn(context, accept_all(*acceptor), report);
  context.run();
  return 0;
}
