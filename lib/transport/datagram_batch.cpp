#include "transport/datagram_batch.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cerrno>

namespace msocket::transport {

void enlarge_receive_buffer(int fd, int bytes) {
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof bytes) != 0)
    (void)::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);
}

BatchProgress send_datagrams(int fd, std::span<const OutgoingDatagram> datagrams, std::size_t from) {
  BatchProgress progress;
  progress.next = from;
  std::array<mmsghdr, kDatagramsPerCall> headers{};
  std::array<iovec, kDatagramsPerCall> vectors{};
  while (progress.next < datagrams.size()) {
    const auto count = std::min(kDatagramsPerCall, datagrams.size() - progress.next);
    for (std::size_t i = 0; i < count; ++i) {
      const auto& d = datagrams[progress.next + i];
      vectors[i] = iovec{const_cast<std::byte*>(d.bytes.data()), d.bytes.size()};
      headers[i] = mmsghdr{};
      headers[i].msg_hdr.msg_name = const_cast<sockaddr*>(d.to.data());
      headers[i].msg_hdr.msg_namelen = static_cast<socklen_t>(d.to.size());
      headers[i].msg_hdr.msg_iov = &vectors[i];
      headers[i].msg_hdr.msg_iovlen = 1;
    }
    ++progress.calls;
    const int n = ::sendmmsg(fd, headers.data(), static_cast<unsigned>(count), MSG_NOSIGNAL);
    if (n > 0) {
      progress.sent += static_cast<std::size_t>(n);
      progress.next += static_cast<std::size_t>(n);
      continue;  // a short count: the next call reports the error of the one that stopped it
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      progress.would_block = true;
      break;
    }
    if (!progress.first_error) progress.first_error = {errno, boost::system::system_category()};
    ++progress.failed;  // this one datagram (e.g. its network is unreachable): the others go on
    ++progress.next;
  }
  return progress;
}

}  // namespace msocket::transport
