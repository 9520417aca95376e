// How mcat -l makes itself known (lib/relay/netcat.cpp, listen mode): its
// name published in the name service, at its own addresses or, with
// --proxy, at the addresses of the relays that hold its reservation.
// Each failure is said on stderr (`mcat: ...`) here.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/acceptor.hpp"
#include "msocket/registration.hpp"
#include "msocket/relays.hpp"
#include "relay/netcat.hpp"

namespace msocket::relay {

// `mcat: MESSAGE` on stderr.
void say(const std::string& message);

// The exit status for a reservation that no relay granted.
int relay_refusal_status(const boost::system::error_code& ec);

// -l --proxy: holds the name on each relay. Errors: the first relay's
// refusal (proxy_error) or network error, when none holds it.
asio::awaitable<result<relay_reservations>> reserve_on_relays(const NetcatOptions& o, acceptor& acc,
                                                              const name_key& key);

// -l --name: publishes the listener under its name (or, given `relays`,
// under their addresses), and keeps it published. Errors: errc::refused
// for what retrying cannot mend (a key that is not the name's owner, a bad
// service URL).
asio::awaitable<result<name_registration>> register_listener(const NetcatOptions& o, name_key key,
                                                             asio::ip::tcp::endpoint listening,
                                                             const relay_reservations* relays);

}  // namespace msocket::relay
