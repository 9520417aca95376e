// What the attacks of tests/tools/attacker share: blocking sockets with
// deadlines, the NEW handshake as a client makes it, and sealing frames into
// records with a flowpath's keys (docs/protocol.md §2.9, §3.1, §4.2).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "session/auth.hpp"
#include "session/record_cipher.hpp"
#include "wire/codec.hpp"
#include "wire/record.hpp"

namespace attacker {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using Milliseconds = std::chrono::milliseconds;

inline constexpr std::size_t kSetupFrameSize = msocket::wire::kHeaderSize + msocket::wire::kSetupBodySize;
using SetupBytes = std::array<std::byte, kSetupFrameSize>;

// "10.0.0.1:7000" -> endpoint; throws on a malformed address.
tcp::endpoint parse_endpoint(const std::string& text);
tcp::endpoint make_endpoint(const std::string& host, const std::string& port);

// A TCP connection to `remote`, from `source` when given. Throws on failure.
tcp::socket connect_from(asio::io_context& context, const tcp::endpoint& remote,
                         const std::optional<asio::ip::address>& source);

// Whether something (bytes, end of file, a reset) is there to read within `timeout`.
bool wait_readable(tcp::socket& socket, Milliseconds timeout);
// Reads exactly out.size() bytes within `timeout`; false on end of file,
// error or deadline.
bool read_exact(tcp::socket& socket, std::span<std::byte> out, Milliseconds timeout);
// Closes with a reset (SO_LINGER 0), as a flood does.
void reset(tcp::socket& socket);

// Decodes one SETUP or SETUP_ACK frame of v2's size; nullopt if it is not one.
std::optional<msocket::wire::Setup> decode_setup(std::span<const std::byte> bytes, bool answer);
SetupBytes encode_setup(const msocket::wire::Setup& setup, bool answer);
const char* status_name(std::uint8_t status);

// The NEW of a client: a fresh client half and `keys`, every cipher this host has.
msocket::wire::Setup new_request(const msocket::session::KeyPair& keys);

// Frames sealed into records for one direction of one flowpath.
class RecordWriter {
 public:
  RecordWriter(std::uint8_t cipher, const msocket::session::RecordKey& key) : cipher_(cipher, key) {}
  // Appends `frame` to the record being built; seals it first if it is full.
  void add(const msocket::wire::Frame& frame);
  // Seals what was added (if anything) and writes every sealed record.
  void flush(tcp::socket& socket);
  std::uint64_t records() const { return records_; }

 private:
  void seal();
  msocket::session::RecordCipher cipher_;
  std::vector<std::byte> plaintext_;
  std::vector<std::byte> sealed_;
  std::uint64_t records_ = 0;
};

// Raises the descriptor limit to the hard limit (a thousand held sockets).
void raise_descriptor_limit();

}  // namespace attacker
