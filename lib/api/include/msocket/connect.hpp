// msocket::async_connect: opens a connection to HOST PORT (a name in the
// name service, a DNS host name or an address literal); the connection then
// follows this host's moves and, when opened by name, the peer's.
#pragma once

#include <string>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>

#include "msocket/stream.hpp"
#include "api/connect.hpp"

namespace msocket {

// Completes with (error_code, stream). Errors: see api::connect.
template <class Token>
auto async_connect(boost::asio::any_io_executor ex, std::string host, std::string port,
                   Options options, Token&& token) {
  return boost::asio::async_initiate<Token, void(boost::system::error_code, stream)>(
      [ex](auto handler, std::string host, std::string port, Options options) {
        // Made in a statement of its own, not inside the co_spawn call
        // (g++ 12 mishandles coroutine arguments there; see options.hpp).
        auto connecting = api::connect(std::move(host), std::move(port), std::move(options));
        boost::asio::co_spawn(
            ex, std::move(connecting),
            [handler = std::move(handler)](std::exception_ptr e,
                                           result<std::shared_ptr<transport::Connection>> r) mutable {
              if (e) {
                std::move(handler)(boost::system::error_code(boost::asio::error::fault), stream());
              } else if (!r) {
                std::move(handler)(r.error(), stream());
              } else {
                std::move(handler)(boost::system::error_code(), stream(std::move(*r)));
              }
            });
      },
      token, std::move(host), std::move(port), std::move(options));
}

}  // namespace msocket
