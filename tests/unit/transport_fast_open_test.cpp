// The listener's Fast Open queue: its bound against spoofed SYNs, widened
// for the MIGRATEs a move of ours calls for, and back.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "transport/fast_open.hpp"

namespace msocket::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// What the kernel holds as the listener's queue of pending Fast Open children.
int fast_open_queue(tcp::acceptor& acceptor) {
  int value = -1;
  socklen_t size = sizeof value;
  REQUIRE(::getsockopt(acceptor.native_handle(), IPPROTO_TCP, TCP_FASTOPEN, &value, &size) == 0);
  return value;
}

}  // namespace

TEST_CASE("Fast Open queue: bounded, widened for a move's MIGRATEs up to its most, and narrowed back",
          "[transport]") {
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  accept_fast_open(acceptor);
  CHECK(fast_open_queue(acceptor) == kFastOpenQueue);

  size_fast_open_queue(acceptor, 1000);
  CHECK(fast_open_queue(acceptor) == kFastOpenQueue + 1000);

  size_fast_open_queue(acceptor, 1'000'000);
  CHECK(fast_open_queue(acceptor) == kMostFastOpenQueue);

  size_fast_open_queue(acceptor, 0);
  CHECK(fast_open_queue(acceptor) == kFastOpenQueue);
}

}  // namespace msocket::transport
