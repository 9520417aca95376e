// RECONNECT on a live connection (docs/protocol.md §2.7): a forged one and a
// replayed one change nothing; an authentic one moves the client's flowpath
// at once, with cause server-move, and the stream goes on.
#include <boost/asio.hpp>
#include <catch2/catch.hpp>

#include "api/stream_access.hpp"
#include "msocket/acceptor.hpp"
#include "msocket/connect.hpp"
#include "wire/reconnect.hpp"
#include "transport/handshake.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using udp = asio::ip::udp;
using namespace msocket;

namespace {

// Runs the loop until `done` or 5 s.
template <class Pred>
bool run_until(asio::io_context& context, Pred done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!done() && std::chrono::steady_clock::now() < deadline) context.run_one_for(std::chrono::milliseconds(50));
  return done();
}

}  // namespace

TEST_CASE("RECONNECT: forged and replayed ones are ignored, an authentic one moves the client", "[transport]") {
  asio::io_context context;
  auto acceptor = *msocket::acceptor::open(context.get_executor(), {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  msocket::stream server, client;
  acceptor.async_accept([&](error_code ec, msocket::stream s) {
    REQUIRE_FALSE(ec);
    server = std::move(s);
  });
  msocket::async_connect(context.get_executor(), "127.0.0.1", std::to_string(port), {},
                         [&](error_code ec, msocket::stream s) {
                           REQUIRE_FALSE(ec);
                           client = std::move(s);
                         });
  REQUIRE(run_until(context, [&] { return server.is_open() && client.is_open(); }));
  auto& server_connection = *api::StreamAccess::connection(server);
  // The server knows where the client's control socket is (from NEW).
  const auto control = server_connection.peer_control();
  REQUIRE(control.has_value());
  CHECK(control->address() == asio::ip::make_address("127.0.0.1"));

  udp::socket sender(context, udp::endpoint(udp::v4(), 0));
  std::array<std::byte, 256> answer{};
  udp::endpoint from;
  auto send = [&](const wire::Reconnect& frame) { sender.send_to(asio::buffer(wire::encode(frame)), *control); };
  auto acked = [&]() -> std::optional<wire::Reconnect> {
    sender.non_blocking(true);
    for (int i = 0; i < 20; ++i) {
      context.run_for(std::chrono::milliseconds(10));
      error_code ec;
      const auto n = sender.receive_from(asio::buffer(answer), from, 0, ec);
      if (!ec) {
        auto ack = wire::decode_reconnect(std::span(answer).first(n));
        return ack ? std::optional(*ack) : std::nullopt;
      }
    }
    return std::nullopt;
  };

  wire::Reconnect frame;
  frame.conn_id = to_int(client.id());
  frame.counter = 1;
  frame.address = transport::to_wire(asio::ip::make_address("127.0.0.1"), port);

  SECTION("a RECONNECT with a wrong MAC is not even answered") {
    frame.mac[0] = std::byte{1};
    send(frame);
    CHECK_FALSE(acked().has_value());
    CHECK(client.stats().migrations.empty());
  }

  SECTION("an authentic one is acked and acted on once, however often it comes") {
    // A flowpath younger than a second may be the client's own answer to
    // the move (docs/protocol.md §2.7): let this one age.
    context.run_for(std::chrono::milliseconds(1100));
    frame.mac = session::reconnect_mac(server_connection.secret(), frame);
    send(frame);
    auto ack = acked();
    REQUIRE(ack.has_value());
    CHECK(ack->is_ack);
    CHECK(ack->counter == 1);
    CHECK(session::verify_reconnect_mac(server_connection.secret(), *ack));
    REQUIRE(run_until(context, [&] { return client.stats().migrations.size() == 1; }));
    CHECK(client.stats().migrations[0].cause == MigrationCause::server_move);

    send(frame);  // the same again (its ack was lost, or a recorder replays it)
    CHECK(acked().has_value());
    context.run_for(std::chrono::milliseconds(200));
    CHECK(client.stats().migrations.size() == 1);

    // The stream goes on over the new flowpath.
    const std::string text = "after the move";
    std::string got(text.size(), '\0');
    bool written = false, read = false;
    asio::async_write(client, asio::buffer(text), [&](error_code ec, std::size_t) { written = !ec; });
    asio::async_read(server, asio::buffer(got), [&](error_code ec, std::size_t) { read = !ec; });
    REQUIRE(run_until(context, [&] { return written && read; }));
    CHECK(got == text);
  }
}
