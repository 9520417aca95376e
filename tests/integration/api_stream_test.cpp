// The public API on loopback: msocket::stream with asio::async_read/
// async_write, application-asked migration mid-transfer, the blocking facade,
// and an acceptor that shrugs off garbage.
#include <random>
#include <thread>

#include <boost/asio.hpp>
#include <catch2/catch.hpp>

#include "core/coroutine.hpp"
#include "msocket/acceptor.hpp"
#include "msocket/blocking.hpp"
#include "msocket/connect.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

std::vector<std::byte> random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::byte> v(n);
  for (auto& b : v) b = std::byte(rng());
  return v;
}

// Runs the two directions to their end; then waits for the connection to
// close. The first error wins.
asio::awaitable<error_code> both_then_closed(msocket::stream& s, asio::awaitable<error_code> sending,
                                            asio::awaitable<error_code> receiving) {
  auto [a, b] = co_await msocket::all_of(sending, receiving);
  if (a) co_return a;
  if (b) co_return b;
  auto [closed] = co_await s.async_wait_closed(asio::as_tuple(asio::use_awaitable));
  co_return closed;
}

// Sends `out` and reads everything the peer sends until EOF into `in`; then
// waits for the connection to close. Optionally migrates once mid-way.
asio::awaitable<error_code> exchange(msocket::stream& s, const std::vector<std::byte>& out,
                                     std::vector<std::byte>& in, bool migrate_midway) {
  auto sender = [&]() -> asio::awaitable<error_code> {
    const std::size_t half = out.size() / 2;
    auto [ec1, n1] = co_await asio::async_write(s, asio::buffer(out.data(), half), asio::as_tuple(asio::use_awaitable));
    if (ec1) co_return ec1;
    if (migrate_midway) s.migrate();
    auto [ec2, n2] = co_await asio::async_write(s, asio::buffer(out.data() + half, out.size() - half),
                                                asio::as_tuple(asio::use_awaitable));
    if (ec2) co_return ec2;
    s.shutdown_write();
    co_return error_code{};
  };
  auto receiver = [&]() -> asio::awaitable<error_code> {
    std::array<std::byte, 65536> buffer;
    for (;;) {
      auto [ec, n] = co_await s.async_read_some(asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::eof) co_return error_code{};
      if (ec) co_return ec;
      in.insert(in.end(), buffer.begin(), buffer.begin() + n);
    }
  };
  auto sending = sender();
  auto receiving = receiver();
  co_return co_await both_then_closed(s, std::move(sending), std::move(receiving));
}

// The same through the stream's own buffers (async_write_some_from and
// async_read_some_into), as mcat's relay does: a source and a sink that
// take odd amounts and now and then are not ready (would_block).
asio::awaitable<error_code> exchange_lent(msocket::stream& s, const std::vector<std::byte>& out,
                                          std::vector<std::byte>& in, bool migrate_midway) {
  auto sender = [&]() -> asio::awaitable<error_code> {
    std::size_t sent = 0, calls = 0;
    bool migrated = false;
    const msocket::stream::Source source = [&](std::span<std::byte> room) -> msocket::result<std::size_t> {
      if (++calls % 7 == 0) return error_code(asio::error::would_block);
      const auto n = std::min({room.size(), out.size() - sent, std::size_t{4999}});
      std::copy_n(out.begin() + static_cast<std::ptrdiff_t>(sent), n, room.begin());
      sent += n;
      return n;
    };
    for (;;) {
      auto [ec, n] = co_await s.async_write_some_from(source, asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::eof) break;
      if (ec && ec != asio::error::would_block) co_return ec;
      if (migrate_midway && !migrated && sent >= out.size() / 2) {
        s.migrate();
        migrated = true;
      }
    }
    s.shutdown_write();
    co_return error_code{};
  };
  auto receiver = [&]() -> asio::awaitable<error_code> {
    std::size_t calls = 0;
    const msocket::stream::Sink sink = [&](std::span<const std::byte> bytes) -> msocket::result<std::size_t> {
      if (++calls % 5 == 0) return error_code(asio::error::would_block);
      const auto n = std::min<std::size_t>(bytes.size(), 3001);
      in.insert(in.end(), bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
      return n;
    };
    for (;;) {
      auto [ec, n] = co_await s.async_read_some_into(sink, asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::eof) co_return error_code{};
      if (ec && ec != asio::error::would_block) co_return ec;
    }
  };
  auto sending = sender();
  auto receiving = receiver();
  co_return co_await both_then_closed(s, std::move(sending), std::move(receiving));
}

// Coroutines take what they use as parameters: a lambda's captures would
// dangle once co_spawn has returned.
asio::awaitable<void> serve_one(msocket::acceptor& acceptor, const std::vector<std::byte>& out,
                                std::vector<std::byte>& in, error_code& result, bool lent = false) {
  auto [ec, s] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
  if (ec) result = ec;
  else if (lent) result = co_await exchange_lent(s, out, in, false);
  else result = co_await exchange(s, out, in, false);
}

asio::awaitable<void> connect_one(std::string port, const std::vector<std::byte>& out,
                                  std::vector<std::byte>& in, bool migrate, error_code& result,
                                  msocket::Stats& stats, bool lent = false) {
  auto ex = co_await asio::this_coro::executor;
  auto [ec, s] = co_await msocket::async_connect(ex, "127.0.0.1", port, {}, asio::as_tuple(asio::use_awaitable));
  if (ec) {
    result = ec;
    co_return;
  }
  if (lent) result = co_await exchange_lent(s, out, in, migrate);
  else result = co_await exchange(s, out, in, migrate);
  stats = s.stats();
}

struct Pair {
  asio::io_context context;
  msocket::acceptor acceptor = *msocket::acceptor::open(context.get_executor(), {asio::ip::make_address("127.0.0.1"), 0});
  std::string port() const { return std::to_string(acceptor.local_endpoint().port()); }
};

}  // namespace

TEST_CASE("stream carries bytes both ways with asio::async_read/async_write", "[transport]") {
  for (bool lent : {false, true})
  for (bool migrate : {false, true}) {
    DYNAMIC_SECTION("lent buffers: " << lent << ", migrate midway: " << migrate) {
      Pair p;
      const auto up = random_bytes(3 << 20, 1), down = random_bytes(2 << 20, 2);
      std::vector<std::byte> got_up, got_down;
      error_code server_ec = asio::error::fault, client_ec = asio::error::fault;
      msocket::Stats client_stats;
      asio::co_spawn(p.context, serve_one(p.acceptor, down, got_up, server_ec, lent), asio::detached);
      asio::co_spawn(p.context, connect_one(p.port(), up, got_down, migrate, client_ec, client_stats, lent),
                     asio::detached);
      // Until both ends are done (the listener alone keeps the loop busy).
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
      while ((server_ec == asio::error::fault || client_ec == asio::error::fault) &&
             std::chrono::steady_clock::now() < give_up)
        p.context.run_for(std::chrono::milliseconds(20));
      CHECK_FALSE(server_ec);
      CHECK_FALSE(client_ec);
      CHECK(got_up == up);
      CHECK(got_down == down);
      CHECK(client_stats.bytes_sent == up.size());
      CHECK(client_stats.migrations.size() == (migrate ? 1u : 0u));
      if (migrate) CHECK(client_stats.migrations[0].cause == msocket::MigrationCause::application);
    }
  }
}

TEST_CASE("garbage on the listening port costs nothing but that connection", "[transport]") {
  Pair p;
  // A stranger speaking HTTP, one sending a huge length, one saying nothing.
  std::vector<tcp::socket> strangers;
  for (std::string junk : {std::string("GET / HTTP/1.0\r\n\r\n"), std::string("\x01\x00\x00\x00\xff\xff\xff\xff", 8), std::string()}) {
    tcp::socket s(p.context);
    s.connect({asio::ip::make_address("127.0.0.1"), p.acceptor.local_endpoint().port()});
    if (!junk.empty()) asio::write(s, asio::buffer(junk));
    strangers.push_back(std::move(s));
  }
  const auto up = random_bytes(100000, 3);
  const std::vector<std::byte> nothing;
  std::vector<std::byte> got_up, got_down;
  error_code client_ec = asio::error::fault, server_ec = asio::error::fault;
  msocket::Stats stats;
  asio::co_spawn(p.context, serve_one(p.acceptor, nothing, got_up, server_ec), asio::detached);
  asio::co_spawn(p.context, connect_one(p.port(), up, got_down, false, client_ec, stats), asio::detached);
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while ((server_ec == asio::error::fault || client_ec == asio::error::fault) &&
         std::chrono::steady_clock::now() < give_up)
    p.context.run_for(std::chrono::milliseconds(20));
  CHECK_FALSE(client_ec);
  CHECK_FALSE(server_ec);
  CHECK(got_up == up);
  // The stranger with bad bytes was hung up on.
  std::array<char, 16> buf;
  error_code ec;
  strangers[0].read_some(asio::buffer(buf), ec);
  CHECK(ec);
}

TEST_CASE("blocking facade: connect, write, read, close", "[transport]") {
  Pair p;
  const auto down = random_bytes(500000, 4);
  std::vector<std::byte> got_up;
  error_code server_ec = asio::error::fault;
  asio::co_spawn(p.context, serve_one(p.acceptor, down, got_up, server_ec), asio::detached);
  std::thread server([&] { p.context.run_for(std::chrono::seconds(15)); });

  auto s = msocket::blocking::stream::connect("127.0.0.1", p.port());
  REQUIRE(s.has_value());
  const auto up = random_bytes(300000, 5);
  REQUIRE(s->write_all(up).has_value());
  s->shutdown_write();
  std::vector<std::byte> got_down;
  std::array<std::byte, 8192> buffer;
  for (;;) {
    auto n = s->read_some(buffer);
    REQUIRE(n.has_value());
    if (*n == 0) break;
    got_down.insert(got_down.end(), buffer.begin(), buffer.begin() + *n);
  }
  CHECK(s->close().has_value());
  server.join();
  CHECK_FALSE(server_ec);
  CHECK(got_down == down);
  CHECK(got_up == up);
}

TEST_CASE("connecting to a closed port fails with connection_refused", "[transport]") {
  asio::io_context context;
  tcp::acceptor probe(context, {asio::ip::make_address("127.0.0.1"), 0});
  const auto port = std::to_string(probe.local_endpoint().port());
  probe.close();
  auto s = msocket::blocking::stream::connect("127.0.0.1", port);
  REQUIRE_FALSE(s.has_value());
  CHECK(s.error() == asio::error::connection_refused);
}

namespace {

// Through a composed operation, which runs on the stream's executor too.
asio::awaitable<void> write_to(msocket::stream& s, error_code& result) {
  std::array<std::byte, 16> buffer{};
  auto [ec, n] = co_await asio::async_write(s, asio::buffer(buffer), asio::as_tuple(asio::use_awaitable));
  result = ec;
}

}  // namespace

// Its state (is_open, stats, ...) is tests/unit/api_stream_test.cpp's.
TEST_CASE("a stream that is not open fails its operations", "[transport]") {
  msocket::stream s;
  // Each operation completes with not_connected, later (not inside the
  // call) and on the handler's executor: here the thread that runs `context`.
  asio::io_context context;
  std::array<std::byte, 16> buffer{};
  std::optional<error_code> read, written, closed, awaited;
  std::size_t read_bytes = 1, written_bytes = 1;
  const auto here = std::this_thread::get_id();
  bool on_this_thread = true;
  s.async_read_some(asio::buffer(buffer), asio::bind_executor(context, [&](error_code ec, std::size_t n) {
    on_this_thread = on_this_thread && std::this_thread::get_id() == here;
    read = ec;
    read_bytes = n;
  }));
  s.async_write_some(asio::buffer(buffer), asio::bind_executor(context, [&](error_code ec, std::size_t n) {
    on_this_thread = on_this_thread && std::this_thread::get_id() == here;
    written = ec;
    written_bytes = n;
  }));
  s.async_wait_closed(asio::bind_executor(context, [&](error_code ec) {
    on_this_thread = on_this_thread && std::this_thread::get_id() == here;
    closed = ec;
  }));
  CHECK_FALSE(read.has_value());
  CHECK_FALSE(written.has_value());
  CHECK_FALSE(closed.has_value());
  error_code from_coroutine;
  asio::co_spawn(context, write_to(s, from_coroutine), [&](std::exception_ptr e) {
    awaited = e ? error_code(asio::error::fault) : from_coroutine;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!(read && written && closed && awaited) && std::chrono::steady_clock::now() < deadline) {
    context.restart();
    context.run_for(std::chrono::milliseconds(10));
  }
  REQUIRE(read.has_value());
  REQUIRE(written.has_value());
  REQUIRE(closed.has_value());
  REQUIRE(awaited.has_value());
  CHECK(*read == asio::error::not_connected);
  CHECK(read_bytes == 0);
  CHECK(*written == asio::error::not_connected);
  CHECK(written_bytes == 0);
  CHECK(*closed == asio::error::not_connected);
  CHECK(*awaited == asio::error::not_connected);
  CHECK(on_this_thread);
}
