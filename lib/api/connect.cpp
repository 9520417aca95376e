#include "api/connect.hpp"

#include "api/name_locator.hpp"
#include "core/log.hpp"
#include "transport/client.hpp"

namespace msocket::api {

namespace asio = boost::asio;

asio::awaitable<result<std::shared_ptr<transport::Connection>>> connect(std::string host, std::string port,
                                                                      transport::Options options) {
  boost::system::error_code not_literal;
  asio::ip::make_address(host, not_literal);
  // Each operation is made in a statement of its own: g++ 12 may destroy the
  // temporaries of a co_await expression twice.
  if (options.name_service.empty() || !not_literal) {
    auto by_address = transport::connect(std::move(host), std::move(port), std::move(options));
    co_return co_await std::move(by_address);
  }
  auto server = names::parse_server_url(options.name_service.view());
  if (!server) co_return server.error();
  auto ex = co_await asio::this_coro::executor;
  auto locator = std::make_shared<NameLocator>(ex, *server, host, port);
  auto by_name = transport::connect(std::move(locator), std::move(options));
  co_return co_await std::move(by_name);
}

}  // namespace msocket::api
