// Memory of idle connections: opens N msocket connections over loopback in
// one process (both ends), lets them settle, and prints the growth of the
// resident set per connection end, next to the same for plain TCP sockets
// measured in the same run.
//   bench_idle_connections [N]
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <boost/asio.hpp>

#include "core/log.hpp"
#include "msocket/acceptor.hpp"
#include "msocket/connect.hpp"

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
    status.ignore(1 << 20, '\n');
  }
  return 0;
}

double plain_tcp_kib_per_end(int n) {
  asio::io_context context;
  tcp::acceptor acceptor(context, {asio::ip::make_address("127.0.0.1"), 0});
  std::vector<tcp::socket> sockets;
  const long before = rss_kib();
  for (int i = 0; i < n; ++i) {
    tcp::socket client(context);
    client.connect(acceptor.local_endpoint());
    sockets.push_back(acceptor.accept());
    sockets.push_back(std::move(client));
  }
  return double(rss_kib() - before) / (2.0 * n);
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::stoi(argv[1]) : 1000;
  msocket::log::send_logs_to_stderr(0);  // warnings only
  const double tcp_per_end = plain_tcp_kib_per_end(n);

  asio::io_context context;
  auto acceptor = msocket::acceptor::open(context.get_executor(), {asio::ip::make_address("127.0.0.1"), 0});
  if (!acceptor) {
    std::cerr << "bench_idle_connections: " << acceptor.error().message() << "\n";
    return 1;
  }
  msocket::Options options;
  options.follow_addresses = false;  // one watcher per connection would measure the watcher
  std::vector<msocket::stream> streams;
  const long before = rss_kib();
  std::function<void()> accept_next = [&] {
    acceptor->async_accept([&](boost::system::error_code ec, msocket::stream s) {
      if (!ec) streams.push_back(std::move(s));
      accept_next();
    });
  };
  accept_next();
  int connected = 0;
  const auto port = std::to_string(acceptor->local_endpoint().port());
  for (int i = 0; i < n; ++i) {
    msocket::async_connect(context.get_executor(), "127.0.0.1", port, options,
                           [&](boost::system::error_code ec, msocket::stream s) {
                             if (ec) std::cerr << "connect: " << ec.message() << "\n";
                             else streams.push_back(std::move(s)), ++connected;
                           });
    context.run_for(std::chrono::milliseconds(2));
  }
  context.run_for(std::chrono::seconds(2));  // settle: handshakes, first pings
  const double per_end = double(rss_kib() - before) / (2.0 * connected);
  std::cout << "idle connections: " << connected << " (both ends in this process)\n"
            << "msocket: " << per_end << " KiB per connection end\n"
            << "plain TCP sockets: " << tcp_per_end << " KiB per socket\n"
            << "ratio msocket/TCP: " << per_end / tcp_per_end << "\n";
  return connected == n ? 0 : 1;
}
