#include "transport/fast_open.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "core/log.hpp"

namespace msocket::transport {

namespace {
constexpr int kServerBit = 2;  // net.ipv4.tcp_fastopen: listeners may take data in SYNs

bool set(int fd, int option, int value) { return ::setsockopt(fd, IPPROTO_TCP, option, &value, sizeof value) == 0; }
}  // namespace

std::optional<int> fast_open_sysctl() {
  std::ifstream in("/proc/sys/net/ipv4/tcp_fastopen");
  int value = 0;
  if (!(in >> value)) return std::nullopt;
  return value;
}

bool defer_connect_for_fast_open(boost::asio::ip::tcp::socket& socket) {
  const int fd = socket.native_handle();
  // Without a cookie first: with TCP_FASTOPEN_CONNECT alone and no cookie
  // cached, the kernel sends a plain SYN asking for one.
  return set(fd, TCP_FASTOPEN_NO_COOKIE, 1) && set(fd, TCP_FASTOPEN_CONNECT, 1);
}

void accept_fast_open(boost::asio::ip::tcp::acceptor& acceptor) {
  const int fd = acceptor.native_handle();
  if (!set(fd, TCP_FASTOPEN, kFastOpenQueue) || !set(fd, TCP_FASTOPEN_NO_COOKIE, 1)) {
    log::transport()->debug("no TCP Fast Open on the listener: {}", std::strerror(errno));
    return;
  }
  static const bool said = [] {
    const auto sysctl = fast_open_sysctl();
    if (sysctl && (*sysctl & kServerBit))
      log::transport()->info("TCP Fast Open on: a MIGRATE rides in its SYN (net.ipv4.tcp_fastopen={})", *sysctl);
    else
      log::transport()->debug("TCP Fast Open off here (net.ipv4.tcp_fastopen={}, wants bit 2): a move costs a round "
                              "trip more",
                              sysctl ? std::to_string(*sysctl) : std::string("unreadable"));
    return true;
  }();
  (void)said;
}

void size_fast_open_queue(boost::asio::ip::tcp::acceptor& acceptor, std::size_t expected) {
  const auto queue = static_cast<int>(std::min<std::size_t>(kFastOpenQueue + expected, kMostFastOpenQueue));
  if (!set(acceptor.native_handle(), TCP_FASTOPEN, queue))
    log::transport()->debug("Fast Open queue not resized to {}: {}", queue, std::strerror(errno));
}

}  // namespace msocket::transport
