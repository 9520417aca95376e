// Compiled, never run (tests/integration/public_headers.cmake): every public
// header, with only the public include directory and Boost's, and every
// template of the API instantiated with the usual completion tokens.
#include <msocket/acceptor.hpp>
#include <msocket/blocking.hpp>
#include <msocket/connect.hpp>
#include <msocket/error.hpp>
#include <msocket/options.hpp>
#include <msocket/registration.hpp>
#include <msocket/relays.hpp>
#include <msocket/session_config.hpp>
#include <msocket/stats.hpp>
#include <msocket/stream.hpp>
#include <msocket/text.hpp>
#include <msocket/types.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

asio::awaitable<void> with_coroutines(msocket::acceptor& acceptor, msocket::name_key key) {
  auto ex = co_await asio::this_coro::executor;
  auto [accepted, server] = co_await acceptor.async_accept(use_tuple);
  auto [connected, client] = co_await msocket::async_connect(ex, "host", "7000", msocket::Options{}, use_tuple);
  std::array<std::byte, 64> buffer{};
  auto [read, n] = co_await client.async_read_some(asio::buffer(buffer), use_tuple);
  auto [written, m] = co_await asio::async_write(server, asio::buffer(buffer, n), use_tuple);
  auto [all, k] = co_await asio::async_read(client, asio::buffer(buffer), use_tuple);
  auto [closed] = co_await server.async_wait_closed(use_tuple);
  const asio::ip::tcp::endpoint listening = acceptor.local_endpoint();
  auto [registered, registration] = co_await msocket::name_registration::async_register(
      ex, "http://127.0.0.1:7010", key, "name", listening, use_tuple);
  std::vector<std::string> relay_list{"relay:7400"};
  auto [reserved, relays] = co_await msocket::relay_reservations::async_reserve(acceptor, key, std::string("name"),
                                                                                std::move(relay_list), use_tuple);
  auto [relayed, relayed_registration] = co_await msocket::name_registration::async_register(
      ex, "http://127.0.0.1:7010", key, "name", relays, use_tuple);
  const std::vector<std::string> addresses = relays.addresses();
  (void)accepted, (void)connected, (void)read, (void)written, (void)m, (void)all, (void)k, (void)closed,
      (void)registered, (void)registration, (void)reserved, (void)relayed, (void)relayed_registration, (void)addresses;
}

void with_callbacks(msocket::acceptor& acceptor, msocket::stream& s, asio::any_io_executor ex) {
  std::array<std::byte, 64> buffer{};
  acceptor.async_accept([](error_code, msocket::stream) {});
  msocket::async_connect(ex, "host", "7000", {}, [](error_code, msocket::stream) {});
  s.async_read_some(asio::buffer(buffer), [](error_code, std::size_t) {});
  s.async_write_some(asio::buffer(buffer), [](error_code, std::size_t) {});
  s.async_wait_closed([](error_code) {});
  const msocket::Stats stats = s.stats();
  for (const auto& migration : stats.migrations) (void)msocket::to_string(migration.cause);
  if (auto remote = s.remote_endpoint()) (void)msocket::to_string(*remote);
  (void)msocket::parse_scheduler_policy("rr");
}

void blocking(const msocket::Options& options) {
  auto s = msocket::blocking::stream::connect("host", "7000", options);
  if (s) (void)s->close();
}

}  // namespace

// Referenced, so nothing above is dropped as unused.
void msocket_public_api_check(msocket::acceptor& acceptor, msocket::stream& s, msocket::name_key key) {
  auto coroutine = with_coroutines(acceptor, std::move(key));
  with_callbacks(acceptor, s, s.get_executor());
  blocking({});
}
