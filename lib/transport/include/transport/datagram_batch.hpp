// Sends many datagrams, each to its own address, with as few system calls
// as the kernel allows (sendmmsg(2), up to kDatagramsPerCall at a time):
// the RECONNECTs of a move (reconnect_batch.hpp) leave together instead of
// one send and one wake-up per client.
#pragma once

#include <cstddef>
#include <span>

#include <boost/asio/ip/udp.hpp>
#include <boost/system/error_code.hpp>

namespace msocket::transport {

inline constexpr std::size_t kDatagramsPerCall = 256;

struct OutgoingDatagram {
  std::span<const std::byte> bytes;
  boost::asio::ip::udp::endpoint to;
};

struct BatchProgress {
  std::size_t next = 0;     // the first datagram not handled yet (== size when done)
  std::size_t sent = 0;     // handed to the kernel
  std::size_t failed = 0;   // refused by the kernel (e.g. network unreachable), skipped
  std::size_t calls = 0;    // sendmmsg calls made
  bool would_block = false;  // the socket's send buffer is full: wait until writable, go on from `next`
  boost::system::error_code first_error;  // of the first refused datagram
};

// Lets the UDP socket `fd` hold a burst of `bytes` (a thousand RECONNECTs or
// acks arriving at once): SO_RCVBUFFORCE where the process may (root,
// CAP_NET_ADMIN), else SO_RCVBUF, which net.core.rmem_max caps. Best
// effort: without it a burst loses datagrams, which their retries make up.
void enlarge_receive_buffer(int fd, int bytes);

// Sends `datagrams[from..]` on the UDP socket `fd` (non-blocking or not).
// A datagram the kernel refuses is skipped and counted; a full send buffer
// stops the call early (would_block). Never suspends, never throws.
BatchProgress send_datagrams(int fd, std::span<const OutgoingDatagram> datagrams, std::size_t from = 0);

}  // namespace msocket::transport
