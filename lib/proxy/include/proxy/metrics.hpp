// mproxy's metrics in the Prometheus text format (version 0.0.4), served on
// --metrics: what an operator graphs and alerts on. metrics_text is pure;
// MetricsServer answers every HTTP GET with it.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/error.hpp"
#include "proxy/relay.hpp"

namespace msocket::proxy {

std::string metrics_text(const RelayCounters& counters, bool draining);

class MetricsServer : public std::enable_shared_from_this<MetricsServer> {
 public:
  using Source = std::function<std::string()>;
  // Errors: the socket's.
  static result<std::shared_ptr<MetricsServer>> open(boost::asio::any_io_executor ex,
                                                     const boost::asio::ip::tcp::endpoint& where, Source source);
  MetricsServer(boost::asio::ip::tcp::acceptor acceptor, Source source);
  void start();
  void close();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

 private:
  boost::asio::awaitable<void> run_accept();
  boost::asio::awaitable<void> answer(boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::acceptor acceptor_;
  Source source_;
  std::size_t answering_ = 0;
};

}  // namespace msocket::proxy
