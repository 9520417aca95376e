// forge_migrate HOST PORT CONN_HEX: plays a stranger who learned a connection
// id and sends a MIGRATE for it with a made-up MAC. Prints the server's answer.
// Exit: 0 refused (as it must be), 1 accepted, 2 anything else.
#include <cstdio>
#include <cstdlib>
#include <string>

#include <boost/asio.hpp>

#include "session/auth.hpp"
#include "wire/codec.hpp"

namespace asio = boost::asio;
using namespace msocket;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: forge_migrate HOST PORT CONN_HEX\n");
    return 2;
  }
  try {
    asio::io_context context;
    asio::ip::tcp::resolver resolver(context);
    asio::ip::tcp::socket socket(context);
    asio::connect(socket, resolver.resolve(argv[1], argv[2]));

    wire::Setup setup;
    setup.code = static_cast<std::uint8_t>(wire::SetupKind::migrate);
    setup.conn_id = std::stoull(argv[3], nullptr, 16);
    setup.counter = 1000000;  // newer than anything the real client used
    const auto kp = session::generate_keypair();  // any 32 random bytes as a key
    session::Secret wrong{};
    std::copy(kp.public_key.begin(), kp.public_key.end(), wrong.begin());
    setup.mac = session::setup_mac(wrong, setup, false);

    std::array<std::byte, wire::kHeaderSize + wire::kSetupBodySize> buffer{};
    const auto n = wire::encode(wire::SetupFrame{setup}, buffer);
    asio::write(socket, asio::buffer(buffer.data(), n));
    boost::system::error_code ec;
    asio::read(socket, asio::buffer(buffer), ec);
    if (ec) {
      std::printf("no answer: %s\n", ec.message().c_str());
      return 2;
    }
    auto decoded = wire::decode(buffer);
    if (!decoded || !std::holds_alternative<wire::SetupAckFrame>(decoded->frame)) {
      std::printf("unexpected answer\n");
      return 2;
    }
    const auto status = static_cast<wire::SetupStatus>(std::get<wire::SetupAckFrame>(decoded->frame).code);
    switch (status) {
      case wire::SetupStatus::ok: std::printf("accepted\n"); return 1;
      case wire::SetupStatus::bad_auth: std::printf("refused: authentication failed\n"); return 0;
      case wire::SetupStatus::replayed: std::printf("refused: replayed\n"); return 0;
      case wire::SetupStatus::unknown_connection: std::printf("refused: unknown connection\n"); return 0;
      default: std::printf("refused: status %d\n", static_cast<int>(status)); return 0;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "forge_migrate: %s\n", e.what());
    return 2;
  }
}
