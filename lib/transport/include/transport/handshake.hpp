// Steps of a flowpath's opening: TCP connect with a deadline, socket tuning,
// and exchanging the SETUP / SETUP_ACK frames (docs/protocol.md §2.1-2.2).
#pragma once

#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "msocket/error.hpp"
#include "session/types.hpp"
#include "transport/options.hpp"
#include "wire/frame.hpp"

namespace msocket::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// TCP_NODELAY (we batch frames ourselves) and TCP_USER_TIMEOUT, so the kernel
// gives up on a dead path no later than our keepalive does.
void tune_socket(tcp::socket& socket, Duration user_timeout);

// Binds `socket` (bound to `source`) to the interface that has `source`
// (SO_BINDTODEVICE), so the flowpath leaves by it. Loopback: nothing.
void bind_to_interface_of(tcp::socket& socket, const asio::ip::address& source);

// Connects to `remote`, from `source` (and its interface) when given. May suspend.
// Errors: the socket's (e.g. connection_refused, network_unreachable), or
// asio::error::timed_out after `timeout`.
asio::awaitable<result<tcp::socket>> connect_socket(tcp::endpoint remote,
                                                    std::optional<asio::ip::address> source,
                                                    Duration timeout);
// The same, ending with asio::error::timed_out as soon as `deadline`
// completes: when it expires, or when someone cancels it to abandon the
// attempt (the peer's address changed meanwhile). The caller arms it.
// With `fast_open` (and a kernel that agrees, fast_open.hpp) the SYN waits
// for the first write and carries it: the socket comes back at once,
// *deferred is set, and errors of the connect show in that write or the
// read after it.
asio::awaitable<result<tcp::socket>> connect_socket(tcp::endpoint remote,
                                                    std::optional<asio::ip::address> source,
                                                    asio::steady_timer& deadline, bool fast_open = false,
                                                    bool* deferred = nullptr);

// The priority a flowpath from `local` asks for: backup when a preferred
// interface is set (Options::prefer_interface) and `local` is not on it.
PathPriority path_priority(const Options& options, const asio::ip::address& local);

// Writes one frame. May suspend. On a socket whose connect waits for its
// first write (Fast Open), waits for the handshake when the SYN could not
// take the frame.
asio::awaitable<boost::system::error_code> write_frame(tcp::socket& socket, const wire::Frame& frame);

// Reads the one SETUP or SETUP_ACK that opens a flowpath. May suspend.
// Errors: errc::handshake_timeout, the wire decoder's errors (bad_magic,
// bad_version, bad_frame), or the socket's.
asio::awaitable<result<wire::Frame>> read_setup(tcp::socket& socket, Duration timeout);

// "10.0.0.1:7000" / "[::1]:7000".
std::string to_string(const tcp::endpoint& endpoint);
std::string to_string(const asio::ip::udp::endpoint& endpoint);

// Control addresses on the wire (§2.1) hold IPv4 as IPv4-mapped IPv6.
wire::ControlAddress to_wire(const asio::ip::address& address, std::uint16_t port);
asio::ip::address address_of(const wire::ControlAddress& control);

}  // namespace msocket::transport
