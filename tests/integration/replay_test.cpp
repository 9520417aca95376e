// Control frames against a live connection, as a stranger or a recorder of
// traffic would send them: a recorded ADD_PATH replayed, and a MIGRATE whose
// MAC was made with the wrong secret. Both are refused, and the real
// connection goes on undisturbed.
#include <boost/asio.hpp>
#include <catch2/catch.hpp>

#include "api/stream_access.hpp"
#include "msocket/acceptor.hpp"
#include "msocket/connect.hpp"
#include "wire/codec.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using namespace msocket;

namespace {

using Bytes = std::array<std::byte, wire::kHeaderSize + wire::kSetupBodySize>;

// Sends one SETUP on a fresh socket and returns the answer's status; the
// socket is handed back so the test decides when it closes.
wire::SetupStatus send_setup(tcp::socket& socket, const Bytes& setup) {
  asio::write(socket, asio::buffer(setup));
  Bytes answer{};
  asio::read(socket, asio::buffer(answer));
  auto decoded = wire::decode(answer);
  REQUIRE(decoded.has_value());
  return static_cast<wire::SetupStatus>(std::get<wire::SetupAckFrame>(decoded->frame).code);
}

}  // namespace

TEST_CASE("a replayed ADD_PATH and a forged MIGRATE are refused, the connection is unaffected", "[transport]") {
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
  while ((!server.is_open() || !client.is_open()) && context.run_one_for(std::chrono::seconds(5))) {
  }
  REQUIRE(server.is_open());
  REQUIRE(client.is_open());

  // The recorder holds a real ADD_PATH: made with the secret, as the client
  // would make it.
  wire::Setup add;
  add.code = static_cast<std::uint8_t>(wire::SetupKind::add_path);
  add.conn_id = to_int(client.id());
  add.path_id = 9;
  add.counter = 1;
  add.cipher = api::StreamAccess::connection(client)->cipher();  // every SETUP after NEW repeats it (§4.2)
  add.mac = session::setup_mac(api::StreamAccess::connection(client)->secret(), add, false);
  Bytes recorded{};
  REQUIRE(wire::encode(wire::SetupFrame{add}, recorded) == recorded.size());

  // Blocking sockets need the server's loop running meanwhile.
  std::thread loop([&] { context.run_for(std::chrono::seconds(5)); });
  tcp::socket first(context), second(context), third(context);
  first.connect({asio::ip::make_address("127.0.0.1"), port});
  CHECK(send_setup(first, recorded) == wire::SetupStatus::ok);
  second.connect({asio::ip::make_address("127.0.0.1"), port});
  CHECK(send_setup(second, recorded) == wire::SetupStatus::replayed);

  wire::Setup forged = add;
  forged.code = static_cast<std::uint8_t>(wire::SetupKind::migrate);
  forged.path_id = 0;
  forged.counter = 100;
  forged.mac[0] ^= std::byte{1};
  Bytes forged_bytes{};
  wire::encode(wire::SetupFrame{forged}, forged_bytes);
  third.connect({asio::ip::make_address("127.0.0.1"), port});
  CHECK(send_setup(third, forged_bytes) == wire::SetupStatus::bad_auth);
  first.close();  // the accepted extra path goes away; what it carried is sent again
  loop.join();
  context.restart();

  // The real connection still carries bytes both ways, exactly.
  std::string up(200000, 'u'), down(300000, 'd');
  std::string got_up, got_down;
  auto pump = [](msocket::stream& s, const std::string& out, std::string& in) -> asio::awaitable<void> {
    co_await asio::async_write(s, asio::buffer(out), asio::use_awaitable);
    s.shutdown_write();
    std::array<char, 65536> buffer;
    for (;;) {
      auto [ec, n] = co_await s.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
      if (ec) break;
      in.append(buffer.data(), n);
    }
  };
  // pump captures nothing: what its coroutine uses comes as parameters.
  asio::co_spawn(context, pump(server, down, got_up), asio::detached);
  asio::co_spawn(context, pump(client, up, got_down), asio::detached);
  context.run_for(std::chrono::seconds(10));
  CHECK(got_up == up);
  CHECK(got_down == down);
  CHECK(client.stats().migrations.empty());
}
