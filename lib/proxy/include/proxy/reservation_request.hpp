// A server's request for a reservation on a relay (docs/protocol.md §5.3,
// steps 1 to 4), on a control channel it has just connected: hello, the
// relay's challenge, reserve signed with the name's key, and the relay's
// answer. The listener's agent (relay_agent.hpp) makes one per channel it
// opens; mbench proxy holds thousands at once with it.
#pragma once

#include <string>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/types.hpp"
#include "names/record.hpp"
#include "proxy/control_message.hpp"

namespace msocket::proxy {

// What the relay said: the reservation holds, or it does not (and the relay
// closes the channel).
using ReservationAnswer = std::variant<Reserved, Refused>;

// Reserves `name` with `key` on the relay at the other end of `socket`;
// may suspend. Each message is given `answer_timeout` to be written or to
// arrive. Errors: the socket's (eof when the relay closed, as it does a
// connection without a handshake slot), asio::error::timed_out,
// errc::bad_frame, and proxy_error::bad_answer for a message out of turn.
boost::asio::awaitable<result<ReservationAnswer>> request_reservation(boost::asio::ip::tcp::socket& socket,
                                                                       const std::string& name,
                                                                       const names::SigningKey& key,
                                                                       Duration answer_timeout);

// How long a granted reservation lives without renewal: its ttl, taken as
// at least 3 s (§5.3, step 5). The server renews every third of it.
Duration reservation_ttl(const Reserved& reserved);

}  // namespace msocket::proxy
