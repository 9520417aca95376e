// The floods: many NEWs each followed by a reset, handshakes held open
// without a byte, and one byte in every other offset of the window; and
// one NEW never confirmed, to see what a listener sends before it knows
// its client holds the keys.
#include <algorithm>
#include <array>
#include <cstdio>
#include <map>
#include <thread>

#include "attacker_common.hpp"
#include "attacker_commands.hpp"

namespace attacker {

namespace wire = msocket::wire;
namespace session = msocket::session;
using Clock = std::chrono::steady_clock;

namespace {

// Sends a NEW with a fresh key on `socket`; the answer, or nullopt if none came.
std::optional<wire::Setup> handshake_new(tcp::socket& socket, const session::KeyPair& keys,
                                         wire::Setup& request) {
  request = new_request(keys);
  asio::write(socket, asio::buffer(encode_setup(request, false)));
  SetupBytes answer{};
  if (!read_exact(socket, answer, 5000ms)) return std::nullopt;
  return decode_setup(answer, true);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int new_flood(const tcp::endpoint& server, int count) {
  asio::io_context context;
  std::map<std::string, int> answers;
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    try {
      auto socket = connect_from(context, server, std::nullopt);
      wire::Setup request;
      const auto answer = handshake_new(socket, session::generate_keypair(), request);
      ++answers[answer ? status_name(answer->code) : "no answer"];
      reset(socket);
    } catch (const std::exception& e) {
      ++answers[std::string("failed: ") + e.what()];
    }
  }
  std::printf("new-flood: %d NEW+RST in %.1f s:", count, seconds_since(start));
  for (const auto& [answer, n] : answers) std::printf(" %s=%d", answer.c_str(), n);
  std::printf("\n");
  const int ok = answers.count("ok") ? answers["ok"] : 0;
  const int busy = answers.count("busy") ? answers["busy"] : 0;
  std::printf("new-flood: ok=%d busy=%d other=%d\n", ok, busy, count - ok - busy);
  return 0;
}

int new_unconfirmed(const tcp::endpoint& server, int seconds) {
  asio::io_context context;
  auto socket = connect_from(context, server, std::nullopt);
  wire::Setup request;
  const auto answer = handshake_new(socket, session::generate_keypair(), request);
  if (!answer || answer->code != 0) {
    std::printf("new-unconfirmed: the NEW was answered %s\n", answer ? status_name(answer->code) : "not at all");
    return 1;
  }
  // Never confirm: whatever comes now, the server sent before it knew we
  // hold the keys.
  std::size_t received = 0;
  std::array<std::byte, 16 * 1024> sink;
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  while (Clock::now() < deadline) {
    const auto left = std::chrono::duration_cast<Milliseconds>(deadline - Clock::now());
    if (!wait_readable(socket, std::max(left, 1ms))) continue;
    boost::system::error_code ec;
    const auto n = socket.read_some(asio::buffer(sink), ec);
    if (ec) break;
    received += n;
  }
  reset(socket);
  std::printf("new-unconfirmed: setup_ack=ok bytes_before_confirmation=%zu\n", received);
  return 0;
}

int hold_handshakes(const tcp::endpoint& server, int count, int seconds, const std::optional<asio::ip::address>& source) {
  raise_descriptor_limit();
  asio::io_context context;
  std::vector<tcp::socket> held;
  int failed = 0;
  const auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    try {
      held.push_back(connect_from(context, server, source));
    } catch (const std::exception&) {
      ++failed;
    }
  }
  std::printf("hold-handshakes: %zu accepted by the kernel, %d failed, in %.1f s\n", held.size(), failed,
              seconds_since(start));
  std::fflush(stdout);
  // Which of them the server closes, and when (nothing is ever sent).
  std::vector<double> closed_at(held.size(), -1);
  const auto holding = Clock::now();
  while (seconds_since(start) < seconds) {
    for (std::size_t i = 0; i < held.size(); ++i) {
      if (closed_at[i] >= 0 || !wait_readable(held[i], 0ms)) continue;
      std::array<std::byte, 256> scratch{};
      boost::system::error_code ec;
      held[i].read_some(asio::buffer(scratch), ec);
      if (ec) closed_at[i] = seconds_since(holding);
    }
    std::this_thread::sleep_for(100ms);
  }
  int at_once = 0, later = 0, open = 0;
  double first_later = seconds, last_later = 0;
  for (const double at : closed_at) {
    (at < 0 ? open : at <= 2.0 ? at_once : later) += 1;
    if (at > 2.0) first_later = std::min(first_later, at), last_later = std::max(last_later, at);
  }
  std::printf("hold-handshakes: closed by the server within 2 s of the last connect: %d, later: %d", at_once, later);
  if (later > 0) std::printf(" (%.1f to %.1f s after it)", first_later, last_later);
  std::printf(", still open after %d s: %d\n", seconds, open);
  std::printf("hold-handshakes: accepted=%zu closed_early=%d closed_later=%d held=%d\n", held.size(), at_once, later,
              open);
  for (auto& socket : held) reset(socket);
  return 0;
}

namespace {

// DATA frames of one byte at offsets 1, 3, 5, ... below `window`, for
// `seconds` at most; returns the frames sent.
std::uint64_t send_fragments(tcp::socket& socket, RecordWriter& writer, std::uint64_t window, int seconds) {
  static const std::byte one_byte[1] = {std::byte{0x42}};
  constexpr std::uint64_t kFramesPerWrite = 16 * 1024;
  const auto start = Clock::now();
  std::uint64_t frames = 0;
  for (std::uint64_t offset = 1; offset < window; offset += 2) {
    wire::DataFrame frame;
    frame.offset = offset;
    frame.window = 4 * 1024 * 1024;
    frame.payload = std::span<const std::byte>(one_byte, 1);
    writer.add(frame);
    if (++frames % kFramesPerWrite == 0) {
      writer.flush(socket);
      if (seconds_since(start) >= seconds) break;
    }
  }
  writer.flush(socket);
  return frames;
}

}  // namespace

int fragment_flood(const tcp::endpoint& server, int seconds) {
  asio::io_context context;
  auto socket = connect_from(context, server, std::nullopt);
  const auto keys = session::generate_keypair();
  wire::Setup request;
  const auto answer = handshake_new(socket, keys, request);
  if (!answer || answer->code != static_cast<std::uint8_t>(wire::SetupStatus::ok)) {
    std::printf("fragment-flood: NEW answered %s\n", answer ? status_name(answer->code) : "nothing");
    return 1;
  }
  const auto secret = session::derive_secret(msocket::Role::client, keys, answer->public_key);
  if (!secret) throw std::runtime_error("no secret: " + secret.error().message());
  const auto flowpath_keys = session::derive_flowpath_keys(*secret, msocket::Role::client, 0, 0);
  RecordWriter writer(answer->cipher, flowpath_keys.send);
  writer.add(wire::AckFrame{0, 4 * 1024 * 1024});  // the confirmation (§3.1)
  writer.flush(socket);
  std::printf("fragment-flood: connected, cipher %s, server window %llu\n", session::cipher_name(answer->cipher),
              static_cast<unsigned long long>(answer->window));
  const auto start = Clock::now();
  const auto frames = send_fragments(socket, writer, answer->window, seconds);
  std::printf("fragment-flood: frames sent=%llu in %llu records, %.1f s\n", static_cast<unsigned long long>(frames),
              static_cast<unsigned long long>(writer.records()), seconds_since(start));
  std::fflush(stdout);
  // Hold the connection (reading what comes) a few seconds more.
  const auto hold = Clock::now();
  bool closed = false;
  while (!closed && seconds_since(hold) < 5) {
    if (!wait_readable(socket, 200ms)) continue;
    std::array<std::byte, 64 * 1024> scratch{};
    boost::system::error_code ec;
    socket.read_some(asio::buffer(scratch), ec);
    closed = static_cast<bool>(ec);
  }
  std::printf("fragment-flood: the server %s\n", closed ? "closed the connection" : "kept the connection open");
  reset(socket);
  return 0;
}

}  // namespace attacker
