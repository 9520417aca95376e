#include "msocket/error.hpp"

#include <string>

namespace msocket {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "msocket"; }
  std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::ok: return "success";
      case errc::need_more: return "incomplete frame";
      case errc::bad_frame: return "malformed frame";
      case errc::bad_magic: return "not an msocket peer (bad magic)";
      case errc::bad_version: return "unsupported protocol version";
      case errc::unknown_connection: return "peer does not know this connection";
      case errc::bad_auth: return "authentication failed";
      case errc::replayed: return "replayed control frame";
      case errc::peer_ahead: return "peer acknowledged or sent beyond what is allowed";
      case errc::connection_reset: return "connection reset by peer";
      case errc::linger_expired: return "no path to the peer within the linger time";
      case errc::connection_closed: return "connection closed";
      case errc::path_timeout: return "flowpath keepalive timeout";
      case errc::handshake_timeout: return "handshake timed out";
      case errc::refused: return "connection refused by peer";
      case errc::encryption_required:
        return "the server requires encryption (give --no-encrypt at both ends or at neither)";
      case errc::encryption_refused:
        return "the server runs without encryption (give --no-encrypt at both ends or at neither)";
      case errc::identity_mismatch: return "the server's identity key does not match the expected key";
      case errc::identity_missing: return "the server proved no identity, but a key was expected";
      case errc::bad_record: return "a record failed authentication";
      case errc::handshake_closed:
        return "the peer closed the connection during the handshake (not msocket, or an older protocol version)";
    }
    return "unknown msocket error";
  }
};

}  // namespace

const boost::system::error_category& category() noexcept {
  static const Category instance;
  return instance;
}

}  // namespace msocket
