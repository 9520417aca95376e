#include "msocket/acceptor.hpp"

#include "api/stream_access.hpp"
#include "transport/listener.hpp"

namespace msocket {

using error_code = boost::system::error_code;

result<acceptor> acceptor::open(boost::asio::any_io_executor ex, const boost::asio::ip::tcp::endpoint& endpoint,
                                const Options& options) {
  auto listener = transport::Listener::open(ex, endpoint, options);
  if (!listener) return listener.error();
  (*listener)->start();
  return acceptor(std::move(*listener));
}

acceptor::acceptor(std::shared_ptr<transport::Listener> listener) : listener_(std::move(listener)) {}

void acceptor::start_accept(const std::shared_ptr<transport::Listener>& listener, AcceptHandler handler) {
  listener->async_accept(
      [handler = std::move(handler)](error_code ec, std::shared_ptr<transport::Connection> connection) mutable {
        std::move(handler)(ec, api::StreamAccess::make(std::move(connection)));
      });
}

void acceptor::set_accepting(bool accepting) { listener_->set_accepting(accepting); }

void acceptor::close() { listener_->close(); }

boost::asio::ip::tcp::endpoint acceptor::local_endpoint() const { return listener_->local_endpoint(); }

}  // namespace msocket
