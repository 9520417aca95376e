// msocket::acceptor: listens for msocket connections. Flowpaths of known
// connections (their clients' moves) are taken care of inside; async_accept
// yields only new connections.
#pragma once

#include <memory>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/error.hpp"
#include "msocket/options.hpp"
#include "msocket/stream.hpp"

namespace msocket {

namespace transport {
class Listener;
}

class acceptor {
 public:
  using AcceptHandler = boost::asio::any_completion_handler<void(boost::system::error_code, stream)>;

  // Binds and listens. Errors: the socket's (address_in_use, access_denied).
  static result<acceptor> open(boost::asio::any_io_executor ex, const boost::asio::ip::tcp::endpoint& endpoint,
                               const Options& options = {});

  // Completes with (error_code, stream) for the next new connection, or
  // asio::error::operation_aborted after close().
  template <class Token>
  auto async_accept(Token&& token) {
    return boost::asio::async_initiate<Token, void(boost::system::error_code, stream)>(
        [listener = listener_](auto handler) { start_accept(listener, std::move(handler)); }, token);
  }

  // Stop or resume admitting new connections; moves of existing ones go on.
  void set_accepting(bool accepting);
  void close();
  boost::asio::ip::tcp::endpoint local_endpoint() const;

 private:
  friend class relay_reservations;
  explicit acceptor(std::shared_ptr<transport::Listener> listener);
  static void start_accept(const std::shared_ptr<transport::Listener>& listener, AcceptHandler handler);

  std::shared_ptr<transport::Listener> listener_;
};

}  // namespace msocket
