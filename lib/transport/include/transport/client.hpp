// Opening a connection (paper §III-B1): resolve, connect the first flowpath,
// NEW handshake with key agreement, then follow the client's moves.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "transport/connection.hpp"

namespace msocket::transport {

// Connects to `host` (name or literal) and `port`, trying each resolved
// address in turn. May suspend.
// Errors: asio::error::host_not_found (and other resolver errors), the
// socket's (connection_refused, network_unreachable, ...),
// asio::error::timed_out, errc::handshake_timeout, errc::bad_magic /
// bad_version (not an msocket server), errc::refused, errc::bad_auth.
asio::awaitable<result<std::shared_ptr<Connection>>> connect(std::string host, std::string port,
                                                             Options options);

// The same for one known endpoint.
asio::awaitable<result<std::shared_ptr<Connection>>> connect(tcp::endpoint remote, Options options);

// Connects to wherever `locator` says the peer is (connect-time mobility):
// when an attempt fails or times out, or the peer's addresses change while
// one is in flight, asks again and retries, until options.connect_deadline.
// The connection keeps the locator to find the peer after later moves.
// Errors: those of the last attempt or lookup.
asio::awaitable<result<std::shared_ptr<Connection>>> connect(std::shared_ptr<Locator> locator,
                                                             Options options);

}  // namespace msocket::transport
