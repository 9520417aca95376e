// msocket::async_connect: opens a connection to HOST PORT (a name in the
// name service, a DNS host name or an address literal); the connection then
// follows this host's moves and, when opened by name, the peer's.
#pragma once

#include <string>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>

#include "msocket/options.hpp"
#include "msocket/stream.hpp"

namespace msocket {

namespace detail {
using ConnectHandler = boost::asio::any_completion_handler<void(boost::system::error_code, stream)>;
// What async_connect starts: the connection is opened on `ex`.
void start_connect(boost::asio::any_io_executor ex, std::string host, std::string port, Options options,
                   ConnectHandler handler);
}  // namespace detail

// Completes with (error_code, stream). With options.name_service set and
// `host` not an address literal, `host` is a name, looked up there (then in
// DNS) and retried until options.connect_deadline; an empty `port` then takes
// the port from the name's record.
// Errors: asio::error::host_not_found (and other resolver errors), the
// socket's (connection_refused, network_unreachable, ...),
// asio::error::timed_out, errc::handshake_timeout, errc::bad_magic /
// bad_version (not an msocket server), errc::refused, errc::bad_auth; the
// name service's (e.g. its URL is not http://HOST:PORT).
template <class Token>
auto async_connect(boost::asio::any_io_executor ex, std::string host, std::string port, Options options,
                   Token&& token) {
  return boost::asio::async_initiate<Token, void(boost::system::error_code, stream)>(
      [ex](auto handler, std::string host, std::string port, Options options) {
        detail::start_connect(ex, std::move(host), std::move(port), std::move(options), std::move(handler));
      },
      token, std::move(host), std::move(port), std::move(options));
}

}  // namespace msocket
