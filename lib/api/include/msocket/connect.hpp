// msocket::async_connect: opens a connection to HOST PORT (a name or an
// address literal); the connection then follows this host's moves.
#pragma once

#include <string>

#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>

#include "msocket/stream.hpp"
#include "transport/client.hpp"

namespace msocket {

// Completes with (error_code, stream). Errors: see transport::connect.
template <class Token>
auto async_connect(boost::asio::any_io_executor ex, std::string host, std::string port,
                   Options options, Token&& token) {
  return boost::asio::async_initiate<Token, void(boost::system::error_code, stream)>(
      [ex](auto handler, std::string host, std::string port, Options options) {
        boost::asio::co_spawn(
            ex, transport::connect(std::move(host), std::move(port), std::move(options)),
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
