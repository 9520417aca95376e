// A listener reached only through a relay (mproxy's Relay, in process) on
// loopback: the reservation, the client's flowpath announced and joined,
// the bytes spliced both ways; and the relay's refusals as the listener's
// side reports them (not the name's owner, full, draining).
#include <random>

#include <boost/asio.hpp>
#include <catch2/catch.hpp>

#include "msocket/acceptor.hpp"
#include "msocket/connect.hpp"
#include "core/coroutine.hpp"
#include "msocket/relays.hpp"
#include "names/key_file.hpp"
#include "names_fixture.hpp"
#include "proxy/proxy_error.hpp"
#include "proxy/relay.hpp"

using namespace names_test;
using error_code = boost::system::error_code;
namespace proxy = msocket::proxy;

namespace proxy_test {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

msocket::name_key load_new_key(const Service& service, const std::string& file) {
  const auto path = service.dir / file;
  REQUIRE_FALSE(save_key_file(path, generate_signing_key()));
  return msocket::name_key::load(path.string()).value();
}

std::shared_ptr<proxy::Relay> open_relay(Service& service, std::size_t max_reservations = 100,
                                         proxy::FlowLimit limit = {}) {
  proxy::RelayConfig config;
  config.listen = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0);
  config.public_address = asio::ip::make_address("127.0.0.1");
  config.names = {service.url()};
  config.limits.max_reservations = max_reservations;
  config.limits.splice.limit = limit;
  auto relay = proxy::Relay::open(service.context.get_executor(), config).value();
  relay->start();
  return relay;
}

std::vector<std::string> relays_of(const proxy::Relay& relay) {
  return {"127.0.0.1:" + std::to_string(relay.local_endpoint().port())};
}

msocket::acceptor open_listener(Service& service) {
  const asio::ip::tcp::endpoint where(asio::ip::make_address("127.0.0.1"), 0);
  return msocket::acceptor::open(service.context.get_executor(), where).value();
}

std::vector<std::byte> seeded_bytes(std::size_t n, unsigned seed) {
  std::mt19937 random(seed);
  std::vector<std::byte> out(n);
  for (auto& b : out) b = static_cast<std::byte>(random());
  return out;
}

asio::awaitable<std::vector<std::byte>> read_to_end(msocket::stream& s) {
  std::vector<std::byte> in;
  std::array<std::byte, 65536> buffer;
  for (;;) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buffer), use_tuple);
    if (ec) break;
    in.insert(in.end(), buffer.begin(), buffer.begin() + n);
  }
  co_return in;
}

// The server's side: everything up to the client's end of file, then its
// own bytes, then its end of file.
asio::awaitable<std::vector<std::byte>> serve_one(msocket::acceptor& acc, const std::vector<std::byte>& down) {
  auto [ec, s] = co_await acc.async_accept(use_tuple);
  if (ec) co_return std::vector<std::byte>{};
  auto up = co_await read_to_end(s);
  co_await asio::async_write(s, asio::buffer(down), use_tuple);
  s.shutdown_write();
  co_await s.async_wait_closed(use_tuple);
  co_return up;
}

// The client's side: connects to 127.0.0.1:PORT (a relay's reservation),
// sends `up` and its end of file, and reads until the server's.
asio::awaitable<std::vector<std::byte>> exchange_through(std::string port, const std::vector<std::byte>& up) {
  auto ex = co_await asio::this_coro::executor;
  auto [ec, s] = co_await msocket::async_connect(ex, "127.0.0.1", port, msocket::Options{}, use_tuple);
  if (ec) co_return std::vector<std::byte>{};
  co_await asio::async_write(s, asio::buffer(up), use_tuple);
  s.shutdown_write();
  auto got = co_await read_to_end(s);
  co_await s.async_wait_closed(use_tuple);
  co_return got;
}

}  // namespace proxy_test

using namespace proxy_test;

TEST_CASE("relay: a listener reached only through a relay gets the client's bytes and answers, spliced",
          "[proxy]") {
  Service service;
  auto relay = open_relay(service);
  auto acc = open_listener(service);
  const auto key = load_new_key(service, "owner.key");
  const auto up = seeded_bytes(1 << 20, 1), down = seeded_bytes(700 * 1000, 2);
  service.run([&]() -> asio::awaitable<void> {
    auto [ec, reservations] =
        co_await msocket::relay_reservations::async_reserve(acc, key, "srv.example", relays_of(*relay), use_tuple);
    REQUIRE_FALSE(ec);
    const auto addresses = reservations.addresses();
    REQUIRE(addresses.size() == 1);
    const auto port = addresses.front().substr(addresses.front().rfind(':') + 1);
    CHECK(port != std::to_string(acc.local_endpoint().port()));
    CHECK(relay->counters().reservations == 1);

    auto serving = serve_one(acc, down);
    auto connecting = exchange_through(port, up);
    auto [got_up, got_down] = co_await msocket::all_of(serving, connecting);
    CHECK(got_up == up);
    CHECK(got_down == down);
    const auto counters = relay->counters();
    CHECK(counters.flows_total == 1);
    CHECK(counters.bytes_spliced >= up.size() + down.size());
    reservations.stop();
    acc.close();
    relay->close();
  }());
}

TEST_CASE("relay: refusals reach the listener typed: not the owner, full, draining", "[proxy]") {
  Service service;
  auto relay = open_relay(service, 1);
  auto first = open_listener(service), second = open_listener(service);
  const auto owner = load_new_key(service, "owner.key"), stranger = load_new_key(service, "stranger.key");
  service.run([&]() -> asio::awaitable<void> {
    auto [ec, held] = co_await msocket::relay_reservations::async_reserve(first, owner, "a.example", relays_of(*relay),
                                                                           use_tuple);
    REQUIRE_FALSE(ec);
    // Another key may not take a name the relay holds for its owner...
    auto [taken, none] = co_await msocket::relay_reservations::async_reserve(second, stranger, "a.example",
                                                                              relays_of(*relay), use_tuple);
    CHECK(taken == proxy::proxy_error::not_owner);
    // ...and with one reservation at most, another name finds it full.
    auto [full, none2] = co_await msocket::relay_reservations::async_reserve(second, stranger, "b.example",
                                                                              relays_of(*relay), use_tuple);
    CHECK(full == proxy::proxy_error::relay_full);
    CHECK(relay->counters().refusals[static_cast<std::size_t>(proxy::Refusal::full)] == 1);

    // Draining: the holder is told and stops offering the relay's address;
    // nobody may reserve any more.
    relay->drain();
    co_await eventually([&] { return held.addresses().empty(); });
    auto [draining, none3] = co_await msocket::relay_reservations::async_reserve(second, stranger, "c.example",
                                                                                  relays_of(*relay), use_tuple);
    CHECK(draining == proxy::proxy_error::draining);
    held.stop();
    first.close();
    second.close();
    relay->close();
  }());
}

TEST_CASE("relay: a name owned by another key in the name service cannot be reserved", "[proxy]") {
  Service service;
  auto relay = open_relay(service);
  auto acc = open_listener(service);
  const auto stranger = load_new_key(service, "stranger.key");
  const auto owner = generate_signing_key();
  service.run([&]() -> asio::awaitable<void> {
    Client client(co_await asio::this_coro::executor, service.url());
    const auto stored = co_await client.put(signed_record(owner, "owned.example", 1));
    REQUIRE(stored.has_value());
    auto [ec, none] = co_await msocket::relay_reservations::async_reserve(acc, stranger, "owned.example",
                                                                           relays_of(*relay), use_tuple);
    CHECK(ec == proxy::proxy_error::not_owner);
    CHECK(relay->counters().reservations == 0);
    acc.close();
    relay->close();
  }());
}

TEST_CASE("relay: --flow-limit holds a flow to its rate, and the bytes still all arrive", "[proxy]") {
  Service service;
  // 256 KiB every 250 ms: 1 MiB/s, with a bucket of 256 KiB that starts full.
  auto relay = open_relay(service, 100, proxy::FlowLimit{256 * 1024, std::chrono::milliseconds(250)});
  auto acc = open_listener(service);
  const auto key = load_new_key(service, "owner.key");
  const auto up = seeded_bytes(768 * 1024, 3), down = seeded_bytes(1000, 4);
  service.run([&]() -> asio::awaitable<void> {
    auto [ec, reservations] =
        co_await msocket::relay_reservations::async_reserve(acc, key, "slow.example", relays_of(*relay), use_tuple);
    REQUIRE_FALSE(ec);
    const auto address = reservations.addresses().at(0);
    const auto port = address.substr(address.rfind(':') + 1);
    const auto start = std::chrono::steady_clock::now();
    auto serving = serve_one(acc, down);
    auto connecting = exchange_through(port, up);
    auto [got_up, got_down] = co_await msocket::all_of(serving, connecting);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(got_up == up);
    CHECK(got_down == down);
    // 768 KiB less the full bucket's 256 KiB at 1 MiB/s: half a second at
    // least, however fast the machine (a bound from below only).
    CHECK(took >= std::chrono::milliseconds(450));
    reservations.stop();
    acc.close();
    relay->close();
  }());
}
