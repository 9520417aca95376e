#include "api/connect.hpp"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/co_spawn.hpp>

#include "api/name_locator.hpp"
#include "api/stream_access.hpp"
#include "core/log.hpp"
#include "msocket/connect.hpp"
#include "names/known_names.hpp"
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
  auto server = names::parse_server_list(options.name_service.view());
  if (!server) co_return server.error();
  auto ex = co_await asio::this_coro::executor;
  // The owner keys of names are pinned where the user's ssh-like
  // known_names file is (names/known_names.hpp).
  const auto known_names = options.known_names.empty() ? names::default_known_names_path()
                                                       : std::filesystem::path(options.known_names.str());
  auto locator = std::make_shared<NameLocator>(ex, *server, host, port, known_names);
  auto by_name = transport::connect(std::move(locator), std::move(options));
  co_return co_await std::move(by_name);
}

}  // namespace msocket::api

namespace msocket::detail {

void start_connect(boost::asio::any_io_executor ex, std::string host, std::string port, Options options,
                   ConnectHandler handler) {
  namespace asio = boost::asio;
  using error_code = boost::system::error_code;
  // Made in a statement of its own, not inside the co_spawn call (g++ 12
  // mishandles coroutine arguments there; see msocket/options.hpp).
  auto connecting = api::connect(std::move(host), std::move(port), std::move(options));
  // The handler runs where it asks to (a coroutine's executor, a strand),
  // else on `ex`.
  auto where = asio::get_associated_executor(handler, ex);
  asio::co_spawn(
      ex, std::move(connecting),
      asio::bind_executor(where, [handler = std::move(handler)](
                                     std::exception_ptr e,
                                     result<std::shared_ptr<transport::Connection>> r) mutable {
        if (e) {
          std::move(handler)(error_code(asio::error::fault), stream());
        } else if (!r) {
          std::move(handler)(r.error(), stream());
        } else {
          std::move(handler)(error_code(), api::StreamAccess::make(std::move(*r)));
        }
      }));
}

}  // namespace msocket::detail
