// msocket::acceptor: listens for msocket connections. Flowpaths of known
// connections (their clients' moves) are taken care of inside; async_accept
// yields only new connections.
#pragma once

#include <boost/asio/async_result.hpp>

#include "msocket/stream.hpp"
#include "transport/listener.hpp"

namespace msocket {

class acceptor {
 public:
  // Binds and listens. Errors: the socket's (address_in_use, access_denied).
  static result<acceptor> open(boost::asio::any_io_executor ex, const boost::asio::ip::tcp::endpoint& endpoint,
                               const Options& options = {}) {
    auto listener = transport::Listener::open(ex, endpoint, options);
    if (!listener) return listener.error();
    (*listener)->start();
    return acceptor(std::move(*listener));
  }

  // Completes with (error_code, stream) for the next new connection.
  template <class Token>
  auto async_accept(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, stream)>(
        [listener = listener_](auto handler) {
          listener->async_accept(
              [handler = std::move(handler)](boost::system::error_code ec,
                                             std::shared_ptr<transport::Connection> c) mutable {
                std::move(handler)(ec, stream(std::move(c)));
              });
        },
        token);
  }

  // Stop or resume admitting new connections; moves of existing ones go on.
  void set_accepting(bool accepting) { listener_->set_accepting(accepting); }
  void close() { listener_->close(); }
  boost::asio::ip::tcp::endpoint local_endpoint() const { return listener_->local_endpoint(); }

 private:
  explicit acceptor(std::shared_ptr<transport::Listener> listener) : listener_(std::move(listener)) {}
  std::shared_ptr<transport::Listener> listener_;
};

}  // namespace msocket
