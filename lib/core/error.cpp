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
