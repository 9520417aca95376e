#include "transport/gathered_write.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include <boost/assert.hpp>

namespace msocket::transport {

namespace {

void add_piece(std::vector<iovec>& out, const std::byte* data, std::size_t size) {
  if (size == 0) return;
  out.push_back({const_cast<std::byte*>(data), size});  // iovec is not const-correct; sendmsg only reads
}

}  // namespace

void gather_pieces(std::span<const std::byte> frames, std::span<const session::PayloadRef> payloads,
                   std::vector<iovec>& out) {
  out.clear();
  const std::byte* next = frames.data();  // the first frame byte not yet in `out`
  for (const auto& payload : payloads) {
    BOOST_ASSERT(payload.at >= next && payload.at + payload.size() <= frames.data() + frames.size());
    add_piece(out, next, static_cast<std::size_t>(payload.at - next));
    add_piece(out, payload.first.data(), payload.first.size());
    add_piece(out, payload.second.data(), payload.second.size());
    next = payload.at + payload.size();
  }
  add_piece(out, next, static_cast<std::size_t>(frames.data() + frames.size() - next));
}

void fill_payloads(std::span<std::byte> frames, std::span<const session::PayloadRef> payloads, std::size_t from) {
  std::byte* const start = frames.data() + from;
  for (const auto& payload : payloads) {
    // Copy the slices' bytes that land at or after `start`.
    std::byte* place = payload.at;
    for (const auto slice : {payload.first, payload.second}) {
      const std::size_t skip = place < start ? std::min<std::size_t>(slice.size(), start - place) : 0;
      if (skip < slice.size()) std::memcpy(place + skip, slice.data() + skip, slice.size() - skip);
      place += slice.size();
    }
  }
}

std::size_t write_pieces_now(int fd, std::span<const iovec> pieces, boost::system::error_code& ec) {
  msghdr message{};
  message.msg_iov = const_cast<iovec*>(pieces.data());
  message.msg_iovlen = std::min<std::size_t>(pieces.size(), IOV_MAX);  // the rest is a short write
  while (true) {
    const ssize_t n = ::sendmsg(fd, &message, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) ec.assign(errno, boost::system::system_category());
    return 0;
  }
}

}  // namespace msocket::transport
