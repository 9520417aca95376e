// send_datagrams: many datagrams, each to its own address, in few sendmmsg
// calls; one the kernel refuses does not stop the others.
#include <catch2/catch.hpp>

#include <array>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "transport/datagram_batch.hpp"

namespace msocket::transport {

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace {

udp::socket bound_socket(asio::io_context& context) {
  udp::socket s(context, udp::endpoint(asio::ip::address_v4::loopback(), 0));
  s.non_blocking(true);
  return s;
}

std::string received_text(udp::socket& s) {
  std::array<char, 64> buffer{};
  boost::system::error_code ec;
  const auto n = s.receive(asio::buffer(buffer), 0, ec);
  return ec ? "" : std::string(buffer.data(), n);
}

}  // namespace

TEST_CASE("send_datagrams: each datagram reaches its own address, in few calls", "[transport]") {
  asio::io_context context;
  auto sender = bound_socket(context);
  std::vector<udp::socket> receivers;
  std::vector<std::string> texts;
  for (int i = 0; i < 300; ++i) {
    receivers.push_back(bound_socket(context));
    texts.push_back("reconnect " + std::to_string(i));
  }
  std::vector<OutgoingDatagram> datagrams;
  for (std::size_t i = 0; i < receivers.size(); ++i)
    datagrams.push_back({std::as_bytes(std::span(texts[i])), receivers[i].local_endpoint()});
  const auto progress = send_datagrams(sender.native_handle(), datagrams);
  CHECK(progress.sent == 300);
  CHECK(progress.failed == 0);
  CHECK(progress.next == 300);
  CHECK_FALSE(progress.would_block);
  CHECK(progress.calls == 2);  // 256 and 44
  for (std::size_t i = 0; i < receivers.size(); ++i) CHECK(received_text(receivers[i]) == texts[i]);
}

TEST_CASE("send_datagrams: a datagram the kernel refuses is skipped, the rest go", "[transport]") {
  asio::io_context context;
  auto sender = bound_socket(context);
  auto first = bound_socket(context), last = bound_socket(context);
  const std::string text = "hello";
  const auto bytes = std::as_bytes(std::span(text));
  // An IPv6 address on an IPv4 socket: refused (EAFNOSUPPORT or EINVAL).
  const std::vector<OutgoingDatagram> datagrams{{bytes, first.local_endpoint()},
                                                {bytes, udp::endpoint(asio::ip::address_v6::loopback(), 9)},
                                                {bytes, last.local_endpoint()}};
  const auto progress = send_datagrams(sender.native_handle(), datagrams);
  CHECK(progress.sent == 2);
  CHECK(progress.failed == 1);
  CHECK(progress.first_error);
  CHECK(progress.next == 3);
  CHECK(received_text(first) == text);
  CHECK(received_text(last) == text);
}

}  // namespace msocket::transport
