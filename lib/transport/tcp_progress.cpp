#include "transport/tcp_progress.hpp"

#include <linux/in.h>
#include <linux/tcp.h>
#include <sys/socket.h>

#include <cstddef>

namespace msocket::transport {

std::optional<TcpProgress> read_tcp_progress(int fd) {
  tcp_info info{};
  socklen_t size = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &size) != 0) return std::nullopt;
  // An older kernel fills less of the struct, and says how much.
  if (size < offsetof(tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked) return std::nullopt;
  const std::uint64_t window = std::uint64_t{info.tcpi_snd_cwnd} * info.tcpi_snd_mss;
  return TcpProgress{info.tcpi_bytes_acked, info.tcpi_rtt, window};
}

}  // namespace msocket::transport
