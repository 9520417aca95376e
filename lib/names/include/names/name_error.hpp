// Errors of the name service's client side (lookups, updates, watches, key
// files): one category, `msocket.names`, whose messages are fit to show a
// user as they are ("name is owned by another key").
#pragma once

#include <cerrno>

#include <boost/system/error_code.hpp>

namespace msocket::names {

enum class name_error {
  ok = 0,
  invalid_name,          // not 1 to 253 letters, digits, '.', '-' or '_'
  not_found,             // no live record under the name (HTTP 404)
  deleted,               // the watched name was deleted or expired (HTTP 410)
  bad_signature,         // a record's signature does not verify (HTTP 403, or an answer)
  wrong_owner,           // the name belongs to another key (HTTP 403)
  stale_version,         // the server holds this version or a newer one (HTTP 409)
  expired,               // the record's expiry has passed (HTTP 422)
  rejected,              // the server found the request malformed (HTTP 400)
  too_large,             // the request is over the server's size limit (HTTP 413)
  server_failed,         // the server could not do it, e.g. store the record (HTTP 5xx)
  bad_response,          // the answer is not what the API promises
  bad_url,               // a server URL that is not http://HOST:PORT
  bad_key_file,          // not one line of base64 of a 64-byte Ed25519 secret key
  key_file_unprotected,  // a key file that users other than its owner may read
  timeout,               // the server did not answer in time
  key_mismatch,          // the record's owner key is not the one pinned for the name (known_names.hpp)
  too_many_requests,     // the server limits this client: its rate, watches or connections (HTTP 429)
  server_busy,           // the server is at a limit of its own, e.g. all watch slots held (HTTP 503)
  // Appended (values are stable): the stores behind the server (store.hpp).
  store_conflict,     // a conditional write found the name changed since it was read
  store_unavailable,  // no endpoint of the distributed store answered in time
};

const boost::system::error_category& name_category() noexcept;

// The error of the system call that just failed (errno), for the store and
// the key files, which work with file descriptors.
inline boost::system::error_code last_system_error() { return {errno, boost::system::system_category()}; }

inline boost::system::error_code make_error_code(name_error e) noexcept {
  return {static_cast<int>(e), name_category()};
}

}  // namespace msocket::names

namespace boost::system {
template <>
struct is_error_code_enum<msocket::names::name_error> : std::true_type {};
}  // namespace boost::system
