// mnamed's DNS face on loopback (names::DnsServer): real UDP and TCP
// sockets, a registry over a LogStore (names_fixture.hpp). Queries are
// written out byte by byte here; answers are read by their header and last
// bytes.
#include <variant>

#include "core/coroutine.hpp"
#include "names/dns_server.hpp"
#include "names_fixture.hpp"

using namespace names_test;
using udp = asio::ip::udp;
using Bytes = std::vector<std::uint8_t>;

namespace {

// A query for NAME.names.test of type `type` (1: A, 28: AAAA), id `id`.
Bytes dns_query(const std::string& name, std::uint16_t id, std::uint16_t type = 1) {
  Bytes q{static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  for (const auto& label : {name, std::string("names"), std::string("test")}) {
    q.push_back(static_cast<std::uint8_t>(label.size()));
    q.insert(q.end(), label.begin(), label.end());
  }
  q.insert(q.end(), {0, static_cast<std::uint8_t>(type >> 8), static_cast<std::uint8_t>(type), 0, 1});
  return q;
}

std::uint16_t id_of(const Bytes& answer) { return static_cast<std::uint16_t>(answer.at(0) << 8 | answer.at(1)); }
unsigned rcode_of(const Bytes& answer) { return answer.at(3) & 0x0f; }
unsigned answers_in(const Bytes& answer) { return answer.at(6) << 8 | answer.at(7); }
// The address of an answer with one A record: its last four bytes.
std::string last_address(const Bytes& answer) {
  const auto* a = answer.data() + answer.size() - 4;
  return std::to_string(a[0]) + "." + std::to_string(a[1]) + "." + std::to_string(a[2]) + "." + std::to_string(a[3]);
}

struct DnsService : Service {
  explicit DnsService(TokenRate rate = {0, 0}) {
    DnsServerOptions options;
    options.zone = {"names.test", std::chrono::seconds(5)};
    options.query_rate = rate;
    dns = std::move(DnsServer::start(context.get_executor(), *registry, std::move(options)).value());
  }
  udp::endpoint dns_endpoint() const { return dns->local_endpoint(); }
  // Service::run, stopping the DNS server too once `test` ends.
  void run(asio::awaitable<void> test) {
    Service::run(then_stop(std::move(test), *dns));
  }
  static asio::awaitable<void> then_stop(asio::awaitable<void> test, DnsServer& dns) {
    std::exception_ptr error;
    try {
      co_await std::move(test);
    } catch (...) {
      error = std::current_exception();
    }
    dns.stop();
    if (error) std::rethrow_exception(error);
  }
  std::unique_ptr<DnsServer> dns;
};

// Sends `query`; the answer, or nothing within `wait`.
asio::awaitable<std::optional<Bytes>> exchange(udp::socket& socket, udp::endpoint to, const Bytes& query,
                                               std::chrono::milliseconds wait = 2s) {
  co_await socket.async_send_to(asio::buffer(query), to, asio::use_awaitable);
  Bytes answer(2048);
  udp::endpoint from;
  asio::steady_timer timer(socket.get_executor(), wait);
  auto receiving = socket.async_receive_from(asio::buffer(answer), from, msocket::use_tuple);
  auto expiring = timer.async_wait(msocket::use_tuple);
  auto outcome = co_await msocket::first_of(receiving, expiring);
  if (outcome.index() == 1) co_return std::nullopt;
  auto [ec, n] = std::get<0>(outcome);
  if (ec) co_return std::nullopt;
  answer.resize(n);
  co_return answer;
}

}  // namespace

TEST_CASE("dns server: A follows the record as it is updated, and unknown names are NXDOMAIN", "[names]") {
  DnsService service;
  const auto key = generate_signing_key();
  service.run([&]() -> asio::awaitable<void> {
    udp::socket socket(co_await asio::this_coro::executor, udp::endpoint(asio::ip::address_v4::loopback(), 0));
    const auto to = service.dns_endpoint();
    auto stored = co_await service.registry->put(signed_record(key, "srv", 1, "10.0.0.1:7000"), unix_now());
    REQUIRE(stored == Verdict::accepted);
    auto answer = co_await exchange(socket, to, dns_query("srv", 7));
    REQUIRE(answer);
    CHECK(id_of(*answer) == 7);
    CHECK(rcode_of(*answer) == 0);
    REQUIRE(answers_in(*answer) == 1);
    CHECK(last_address(*answer) == "10.0.0.1");

    stored = co_await service.registry->put(signed_record(key, "srv", 2, "10.0.0.2:7000"), unix_now());
    REQUIRE(stored == Verdict::accepted);
    answer = co_await exchange(socket, to, dns_query("srv", 8));
    REQUIRE(answer);
    CHECK(last_address(*answer) == "10.0.0.2");

    answer = co_await exchange(socket, to, dns_query("nobody", 9));
    REQUIRE(answer);
    CHECK(rcode_of(*answer) == 3);  // NXDOMAIN
  }());
  CHECK(service.dns->counts().answered == 3);
}

TEST_CASE("dns server: malformed and oversized datagrams get no answer, and the next query does", "[names]") {
  DnsService service;
  service.run([&]() -> asio::awaitable<void> {
    udp::socket socket(co_await asio::this_coro::executor, udp::endpoint(asio::ip::address_v4::loopback(), 0));
    const auto to = service.dns_endpoint();
    // Named, not a temporary inside co_await (g++ 12 cannot copy an
    // initializer list into a coroutine frame).
    const Bytes garbage{1, 2, 3};
    auto nothing = co_await exchange(socket, to, garbage, 300ms);
    CHECK_FALSE(nothing);
    auto oversized = dns_query("srv", 1);
    oversized.resize(4000, 0);
    nothing = co_await exchange(socket, to, oversized, 300ms);
    CHECK_FALSE(nothing);
    const auto answer = co_await exchange(socket, to, dns_query("srv", 2));
    REQUIRE(answer);
    CHECK(rcode_of(*answer) == 3);
  }());
  const auto counts = service.dns->counts();
  CHECK(counts.malformed == 1);
  CHECK(counts.oversized == 1);
  CHECK(counts.answered == 1);
}

TEST_CASE("dns server: beyond its rate a source's queries are dropped", "[names]") {
  DnsService service(TokenRate{1, 5});
  service.run([&]() -> asio::awaitable<void> {
    udp::socket socket(co_await asio::this_coro::executor, udp::endpoint(asio::ip::address_v4::loopback(), 0));
    const auto to = service.dns_endpoint();
    int answered = 0;
    for (std::uint16_t id = 0; id < 10; ++id) {
      const auto answer = co_await exchange(socket, to, dns_query("srv", id), 200ms);
      if (answer) ++answered;
    }
    CHECK(answered >= 5);
    CHECK(answered <= 7);  // the burst, and what the rate gave back meanwhile
  }());
  CHECK(service.dns->counts().rate_limited >= 3);
}

TEST_CASE("dns server: TCP answers each query after its length", "[names]") {
  DnsService service;
  service.run([&]() -> asio::awaitable<void> {
    const auto to = service.dns_endpoint();
    asio::ip::tcp::socket stream(co_await asio::this_coro::executor);
    const asio::ip::tcp::endpoint server(to.address(), to.port());
    co_await stream.async_connect(server, asio::use_awaitable);
    for (std::uint16_t id = 1; id <= 2; ++id) {
      const auto query = dns_query("nobody", id);
      Bytes framed(2 + query.size());
      framed[1] = static_cast<std::uint8_t>(query.size());
      std::copy(query.begin(), query.end(), framed.begin() + 2);
      co_await asio::async_write(stream, asio::buffer(framed), asio::use_awaitable);
      std::array<std::uint8_t, 2> length{};
      co_await asio::async_read(stream, asio::buffer(length), asio::use_awaitable);
      Bytes answer(std::size_t{length[0]} << 8 | length[1]);
      co_await asio::async_read(stream, asio::buffer(answer), asio::use_awaitable);
      CHECK(id_of(answer) == id);
      CHECK(rcode_of(answer) == 3);
    }
  }());
}
