#include "names/name_error.hpp"

#include <string>

namespace msocket::names {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "msocket.names"; }
  std::string message(int value) const override {
    switch (static_cast<name_error>(value)) {
      case name_error::ok: return "success";
      case name_error::invalid_name: return "invalid name (1 to 253 letters, digits, '.', '-' or '_')";
      case name_error::not_found: return "no such name";
      case name_error::deleted: return "the name was deleted or has expired";
      case name_error::bad_signature: return "signature does not verify";
      case name_error::wrong_owner: return "name is owned by another key";
      case name_error::stale_version: return "version is not newer than the stored one";
      case name_error::expired: return "record has expired";
      case name_error::rejected: return "the server refused the request as malformed";
      case name_error::too_large: return "request too large for the server";
      case name_error::server_failed: return "the server failed to carry out the request";
      case name_error::bad_response: return "malformed answer from the name server";
      case name_error::bad_url: return "server URL is not http://HOST:PORT";
      case name_error::bad_key_file: return "not a key file (one line: base64 of a 64-byte Ed25519 secret key)";
      case name_error::key_file_unprotected: return "key file may be read by other users (chmod 600 it)";
      case name_error::timeout: return "the name server did not answer in time";
      case name_error::key_mismatch: return "name's key does not match the pinned key";
      case name_error::too_many_requests:
        return "the name server refused: too many requests, watches or connections from this client (HTTP 429)";
      case name_error::server_busy: return "the name server is at its capacity; try again later (HTTP 503)";
      case name_error::store_conflict: return "the name was changed by another update meanwhile";
      case name_error::store_unavailable: return "no endpoint of the name store answered";
    }
    return "unknown name service error";
  }
};

}  // namespace

const boost::system::error_category& name_category() noexcept {
  static const Category instance;
  return instance;
}

}  // namespace msocket::names
