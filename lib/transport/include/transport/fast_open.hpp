// TCP Fast Open for flowpaths that open with a SETUP (docs/protocol.md
// §3.3): the client's MIGRATE or ADD_PATH rides in the SYN, and the
// listener answers it with the SYN-ACK's flight, so a move costs one round
// trip instead of two. Without cookies: a cookie is bound to the client's
// address, which is what a move changes. The kernel decides in the end: the
// listener's host must allow it (net.ipv4.tcp_fastopen with bit 2), which
// msocket never sets itself; otherwise the SETUP follows the handshake as
// before, at no cost.
#pragma once

#include <cstddef>
#include <optional>

#include <boost/asio/ip/tcp.hpp>

namespace msocket::transport {

// Pending Fast Open children a listener takes at once: SYNs whose data the
// kernel handed over before the handshake completed. Beyond it the kernel
// falls back to the plain handshake, which bounds the SETUPs a spoofed
// source can make us check.
inline constexpr int kFastOpenQueue = 64;
// The most a listener widens it to while it waits for the MIGRATEs of its
// own move (size_fast_open_queue): every client it told comes back at once.
inline constexpr int kMostFastOpenQueue = 4096;

// net.ipv4.tcp_fastopen of this network namespace; nullopt if unreadable.
std::optional<int> fast_open_sysctl();

// On a socket not yet connected: defer the SYN to the first write, which
// it then carries (TCP_FASTOPEN_CONNECT, without a cookie). False when the
// kernel refuses (the sysctl's client bit is off): a plain connect follows.
bool defer_connect_for_fast_open(boost::asio::ip::tcp::socket& socket);

// On a listening socket: take data in SYNs without a cookie. Logs once
// whether this host allows it.
void accept_fast_open(boost::asio::ip::tcp::acceptor& acceptor);

// On a listening socket that takes Fast Open: room for `expected` more
// pending Fast Open children than kFastOpenQueue (at most
// kMostFastOpenQueue), or back to kFastOpenQueue with 0. A server that
// moved and sent N RECONNECTs expects N MIGRATEs within a round trip;
// beyond the queue the kernel drops their SYN data, and each of those
// clients pays the round trip Fast Open saves.
void size_fast_open_queue(boost::asio::ip::tcp::acceptor& acceptor, std::size_t expected);

}  // namespace msocket::transport
