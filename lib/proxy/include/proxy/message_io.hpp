// Control messages (control_message.hpp) on a TCP socket: exactly one
// message is read at a time, and not a byte more, so that what follows a
// Join on the same socket is left for the splice.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/types.hpp"
#include "proxy/control_message.hpp"

namespace msocket::proxy {

// The next message, within `timeout`. Errors: asio::error::timed_out,
// errc::bad_frame (a length out of range or a body that is no message),
// and the socket's (eof when the peer closed).
boost::asio::awaitable<result<Message>> read_message(boost::asio::ip::tcp::socket& socket, Duration timeout);
// Errors: the socket's; asio::error::timed_out after `timeout`.
boost::asio::awaitable<boost::system::error_code> write_message(boost::asio::ip::tcp::socket& socket,
                                                                const Message& message, Duration timeout);

}  // namespace msocket::proxy
