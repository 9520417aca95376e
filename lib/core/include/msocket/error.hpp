// Error codes of libmsocket: one category, `msocket`, for every failure that
// comes from the network or the peer (the library does not throw for those).
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace msocket {

enum class errc {
  ok = 0,
  need_more,           // wire: the buffer holds only part of a frame
  bad_frame,           // wire: a field is out of range or inconsistent
  bad_magic,           // wire: the first frame of a flowpath is not msocket's
  bad_version,         // wire: the peer speaks a protocol version we do not
  unknown_connection,  // the peer has no state for this connection id
  bad_auth,            // a MIGRATE/ADD_PATH or its answer failed the MAC check
  replayed,            // an authenticated frame with a counter we already saw
  peer_ahead,          // the peer acked bytes we never sent, or sent past our window
  connection_reset,    // the peer aborted the connection
  linger_expired,      // no flowpath for longer than the linger time
  connection_closed,   // the connection is closed; no more I/O
  path_timeout,        // no frame on a flowpath for longer than the keepalive timeout
  handshake_timeout,   // SETUP or SETUP_ACK did not arrive in time
  refused,             // the peer answered SETUP with a refusal
  // Appended (values are stable): protocol v2, docs/protocol.md §4.
  encryption_required,  // the server encrypts; we asked for none (--no-encrypt)
  encryption_refused,   // the server runs without encryption; we asked for it
  identity_mismatch,    // the server signed with another key than the one expected
  identity_missing,     // a key was expected, the server proved none
  bad_record,           // a record did not decrypt: forged, corrupted or replayed
  handshake_closed,     // the peer closed the flowpath during the handshake
};

const boost::system::error_category& category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), category()};
}

template <class T>
using result = boost::system::result<T>;

}  // namespace msocket

namespace boost::system {
template <>
struct is_error_code_enum<msocket::errc> : std::true_type {};
}  // namespace boost::system
