// An unauthenticated "no such connection" (docs/protocol.md §3.4): anyone on
// the path can say it, so it ends a connection only after the client has
// heard nothing else for 10 s, trying meanwhile; a server that really lost
// the connection (here: it restarted) is still noticed.
#include <boost/asio.hpp>
#include <catch2/catch.hpp>

#include <memory>

#include "msocket/acceptor.hpp"
#include "msocket/connect.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using namespace std::chrono_literals;

TEST_CASE("an unauthenticated unknown_connection ends the connection only after 10 s of nothing else", "[transport]") {
  asio::io_context client_context;
  auto server_context = std::make_unique<asio::io_context>();
  auto first = *msocket::acceptor::open(server_context->get_executor(), {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = first.local_endpoint().port();
  msocket::stream server, client;
  first.async_accept([&](error_code ec, msocket::stream s) {
    REQUIRE_FALSE(ec);
    server = std::move(s);
  });
  msocket::Options options;
  options.retry_max = 500ms;
  msocket::async_connect(client_context.get_executor(), "127.0.0.1", std::to_string(port), options,
                         [&](error_code ec, msocket::stream s) {
                           REQUIRE_FALSE(ec);
                           client = std::move(s);
                         });
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while ((!server.is_open() || !client.is_open()) && std::chrono::steady_clock::now() < give_up) {
    client_context.run_for(10ms);
    server_context->run_for(10ms);
  }
  REQUIRE(client.is_open());
  REQUIRE(server.is_open());

  // The server "restarts": its state goes, a new listener takes the port.
  server = msocket::stream();
  first.close();
  server_context.reset();
  asio::io_context restarted;
  auto second = *msocket::acceptor::open(restarted.get_executor(), {asio::ip::make_address("127.0.0.1"), port});

  std::array<std::byte, 16> buffer{};
  std::optional<error_code> read_ec;
  const auto start = std::chrono::steady_clock::now();
  std::chrono::steady_clock::duration ended_after{};
  client.async_read_some(asio::buffer(buffer), [&](error_code ec, std::size_t) {
    read_ec = ec;
    ended_after = std::chrono::steady_clock::now() - start;
  });
  while (!read_ec && std::chrono::steady_clock::now() < start + 20s) {
    client_context.run_for(10ms);
    restarted.run_for(10ms);
  }
  REQUIRE(read_ec.has_value());
  INFO("ended after " << std::chrono::duration<double>(ended_after).count() << " s: " << read_ec->message());
  CHECK(*read_ec == msocket::errc::unknown_connection);
  CHECK(ended_after >= 10s);
  CHECK(ended_after < 16s);
}
