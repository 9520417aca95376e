#include "attacker_common.hpp"

#include <poll.h>
#include <sys/resource.h>

#include <cstring>

namespace attacker {

namespace wire = msocket::wire;
namespace session = msocket::session;

tcp::endpoint parse_endpoint(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("not ADDR:PORT: " + text);
  auto host = text.substr(0, colon);
  if (host.size() > 1 && host.front() == '[') host = host.substr(1, host.size() - 2);
  return make_endpoint(host, text.substr(colon + 1));
}

tcp::endpoint make_endpoint(const std::string& host, const std::string& port) {
  return {asio::ip::make_address(host), static_cast<std::uint16_t>(std::stoul(port))};
}

tcp::socket connect_from(asio::io_context& context, const tcp::endpoint& remote,
                         const std::optional<asio::ip::address>& source) {
  tcp::socket socket(context);
  socket.open(remote.protocol());
  if (source) socket.bind(tcp::endpoint(*source, 0));
  socket.connect(remote);
  socket.set_option(tcp::no_delay(true));
  return socket;
}

bool wait_readable(tcp::socket& socket, Milliseconds timeout) {
  pollfd one{socket.native_handle(), POLLIN, 0};
  return ::poll(&one, 1, static_cast<int>(timeout.count())) > 0;
}

bool read_exact(tcp::socket& socket, std::span<std::byte> out, Milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::size_t have = 0;
  while (have < out.size()) {
    const auto left = std::chrono::duration_cast<Milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left <= 0ms || !wait_readable(socket, left)) return false;
    boost::system::error_code ec;
    have += socket.read_some(asio::buffer(out.data() + have, out.size() - have), ec);
    if (ec) return false;
  }
  return true;
}

void reset(tcp::socket& socket) {
  boost::system::error_code ignored;
  socket.set_option(tcp::socket::linger(true, 0), ignored);
  socket.close(ignored);
}

std::optional<wire::Setup> decode_setup(std::span<const std::byte> bytes, bool answer) {
  auto decoded = wire::decode(bytes);
  if (!decoded) return std::nullopt;
  if (answer) {
    if (const auto* frame = std::get_if<wire::SetupAckFrame>(&decoded->frame)) return *frame;
  } else if (const auto* frame = std::get_if<wire::SetupFrame>(&decoded->frame)) {
    return *frame;
  }
  return std::nullopt;
}

SetupBytes encode_setup(const wire::Setup& setup, bool answer) {
  SetupBytes bytes{};
  const auto n = answer ? wire::encode(wire::SetupAckFrame{setup}, bytes) : wire::encode(wire::SetupFrame{setup}, bytes);
  if (n != bytes.size()) throw std::runtime_error("a SETUP did not encode");
  return bytes;
}

const char* status_name(std::uint8_t status) {
  switch (static_cast<wire::SetupStatus>(status)) {
    case wire::SetupStatus::ok: return "ok";
    case wire::SetupStatus::unknown_connection: return "unknown_connection";
    case wire::SetupStatus::bad_auth: return "bad_auth";
    case wire::SetupStatus::replayed: return "replayed";
    case wire::SetupStatus::closed: return "closed";
    case wire::SetupStatus::busy: return "busy";
    case wire::SetupStatus::encryption_required: return "encryption_required";
    case wire::SetupStatus::encryption_refused: return "encryption_refused";
  }
  return "unknown status";
}

wire::Setup new_request(const session::KeyPair& keys) {
  wire::Setup request;
  request.code = static_cast<std::uint8_t>(wire::SetupKind::new_connection);
  request.conn_id = std::uint64_t{session::random_u32() | 1u} << 32;
  request.window = 4 * 1024 * 1024;
  request.public_key = keys.public_key;
  request.cipher = session::ciphers_available();
  return request;
}

void RecordWriter::add(const wire::Frame& frame) {
  const auto size = wire::encoded_size(frame);
  if (plaintext_.size() + size > wire::kMaxRecordPlaintext) seal();
  const auto at = plaintext_.size();
  plaintext_.resize(at + size);
  wire::encode(frame, std::span(plaintext_).subspan(at));
}

void RecordWriter::seal() {
  if (plaintext_.empty()) return;
  const auto at = sealed_.size();
  sealed_.resize(at + plaintext_.size() + wire::kRecordOverhead);
  std::memcpy(sealed_.data() + at + wire::kRecordHeaderSize, plaintext_.data(), plaintext_.size());
  cipher_.seal(std::span(sealed_).subspan(at), plaintext_.size());
  plaintext_.clear();
  ++records_;
}

void RecordWriter::flush(tcp::socket& socket) {
  seal();
  asio::write(socket, asio::buffer(sealed_));
  sealed_.clear();
}

void raise_descriptor_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
}

}  // namespace attacker
