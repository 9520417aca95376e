// The extra flowpaths' connects begun with the NEW's: one per extra source
// of the remote's family, each taken once, from its own source; an attempt
// whose time is up gives up on it; the sockets never taken are closed.
#include <catch2/catch.hpp>

#include <functional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "core/coroutine.hpp"
#include "transport/early_connects.hpp"

namespace msocket::transport {

namespace {

using namespace std::chrono_literals;

Options two_sources() {
  Options options;
  options.source = asio::ip::make_address("127.0.0.1");
  options.extra_sources.push_back(asio::ip::make_address("127.0.0.1"));  // the first path's: skipped
  options.extra_sources.push_back(asio::ip::make_address("127.0.0.2"));
  options.extra_sources.push_back(asio::ip::make_address("::1"));  // not the remote's family
  return options;
}

// Runs `context` until `done()` or 5 s.
void run_until(asio::io_context& context, const std::function<bool()>& done) {
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!done() && std::chrono::steady_clock::now() < give_up) {
    context.restart();  // run_for stops the context when it runs out of work
    context.run_for(5ms);
  }
}

// Takes the connect from `source` to `remote` within `deadline`.
std::optional<result<tcp::socket>> take(asio::io_context& context, EarlyConnects& early,
                                        const asio::ip::address& source, const tcp::endpoint& remote,
                                        asio::steady_timer& deadline) {
  std::optional<result<tcp::socket>> taken;
  asio::co_spawn(
      context, [&]() -> asio::awaitable<void> { taken = co_await early.take(source, remote, deadline); },
      log_coroutine_exception);
  run_until(context, [&] { return taken.has_value(); });
  return taken;
}

}  // namespace

TEST_CASE("EarlyConnects: each extra source's connect is taken once, from that source", "[transport]") {
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const auto remote = acceptor.local_endpoint();
  const auto second = asio::ip::make_address("127.0.0.2");
  EarlyConnects early(context.get_executor(), remote, two_sources());
  CHECK(early.holds(second, remote));
  CHECK_FALSE(early.holds(asio::ip::make_address("127.0.0.1"), remote));
  CHECK_FALSE(early.holds(asio::ip::make_address("::1"), remote));
  CHECK_FALSE(early.holds(second, tcp::endpoint(remote.address(), static_cast<unsigned short>(remote.port() + 1))));

  asio::steady_timer deadline(context, 5s);
  auto taken = take(context, early, second, remote, deadline);
  REQUIRE(taken.has_value());
  REQUIRE(taken->has_value());
  CHECK((*taken)->local_endpoint().address() == second);
  CHECK((*taken)->remote_endpoint() == remote);
  CHECK_FALSE(early.holds(second, remote));
}

TEST_CASE("EarlyConnects: an attempt whose time is up gives up", "[transport]") {
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const auto remote = acceptor.local_endpoint();
  EarlyConnects early(context.get_executor(), remote, two_sources());
  asio::steady_timer deadline(context);
  deadline.expires_at(asio::steady_timer::time_point::min());  // abandoned, as path_orders.cpp does
  auto taken = take(context, early, asio::ip::make_address("127.0.0.2"), remote, deadline);
  REQUIRE(taken.has_value());
  const bool timed_out = !taken->has_value() && taken->error() == asio::error::timed_out;
  CHECK(timed_out);
}

TEST_CASE("EarlyConnects: a connection never taken is closed with its owner", "[transport]") {
  asio::io_context context;
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  auto early = std::make_unique<EarlyConnects>(context.get_executor(), acceptor.local_endpoint(), two_sources());
  tcp::socket accepted(context);
  std::optional<boost::system::error_code> accept_ec;
  acceptor.async_accept(accepted, [&](boost::system::error_code ec) { accept_ec = ec; });
  run_until(context, [&] { return accept_ec.has_value(); });
  REQUIRE(accept_ec.has_value());
  REQUIRE_FALSE(*accept_ec);
  CHECK(accepted.remote_endpoint().address() == asio::ip::make_address("127.0.0.2"));
  early.reset();
  std::array<char, 1> byte{};
  std::optional<boost::system::error_code> read_ec;
  accepted.async_read_some(asio::buffer(byte), [&](boost::system::error_code ec, std::size_t) { read_ec = ec; });
  run_until(context, [&] { return read_ec.has_value(); });
  REQUIRE(read_ec.has_value());
  const bool ended = *read_ec == asio::error::eof || *read_ec == asio::error::connection_reset;
  CHECK(ended);
}

}  // namespace msocket::transport
