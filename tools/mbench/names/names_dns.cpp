#include "names/names_dns.hpp"

#include <array>
#include <memory>
#include <stdexcept>
#include <vector>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/coroutine.hpp"
#include "names/names_load.hpp"
#include "testbed/interruption.hpp"

namespace asio = boost::asio;
using udp = asio::ip::udp;

namespace msocket::mbench {

namespace {

// An A query for `name` (RFC 1035 §4.1), id 0: each socket has one query in
// flight, so the id tells nothing the socket does not.
std::vector<std::uint8_t> a_query(const std::string& name) {
  std::vector<std::uint8_t> query{0, 0, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
  std::size_t start = 0;
  while (start < name.size()) {
    auto dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    query.push_back(static_cast<std::uint8_t>(dot - start));
    query.insert(query.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                 name.begin() + static_cast<std::ptrdiff_t>(dot));
    start = dot + 1;
  }
  query.insert(query.end(), {0, 0, 1, 0, 1});  // root, type A, class IN
  return query;
}

class Resolver {
 public:
  Resolver(asio::any_io_executor executor, const DnsWorkload& workload)
      : socket_(executor, udp::endpoint(workload.server.protocol(), 0)), query_(a_query(workload.name)) {
    socket_.connect(workload.server);
  }

  // One query and its answer; throws if there is none within a second or
  // it is not one A record.
  asio::awaitable<void> ask() {
    co_await socket_.async_send(asio::buffer(query_), asio::use_awaitable);
    asio::steady_timer timer(socket_.get_executor(), std::chrono::seconds(1));
    auto receiving = socket_.async_receive(asio::buffer(answer_), use_tuple);
    auto expiring = timer.async_wait(use_tuple);
    auto outcome = co_await first_of(receiving, expiring);
    if (outcome.index() == 1) throw std::runtime_error("a DNS query went unanswered for 1 s");
    auto [ec, n] = std::get<0>(outcome);
    if (ec) throw std::runtime_error("DNS: " + ec.message());
    if (n < 12 || (answer_[3] & 0x0f) != 0 || answer_[7] != 1)
      throw std::runtime_error("mnamed's DNS face did not answer the A query with one record");
  }

 private:
  udp::socket socket_;
  std::vector<std::uint8_t> query_;
  std::array<std::uint8_t, 1500> answer_{};
};

asio::awaitable<double> rate_with_sockets(const DnsWorkload& workload, unsigned count) {
  const auto executor = co_await asio::this_coro::executor;
  std::vector<std::unique_ptr<Resolver>> resolvers;
  for (unsigned i = 0; i < count; ++i) resolvers.push_back(std::make_unique<Resolver>(executor, workload));
  std::uint64_t answered = 0;
  const auto start = SteadyClock::now();
  const auto deadline = start + workload.phase_time;
  auto repeat = [&](Resolver& resolver) -> asio::awaitable<void> {
    while (SteadyClock::now() < deadline && !testbed::interrupted()) {
      co_await resolver.ask();
      ++answered;
    }
  };
  std::vector<asio::awaitable<void>> loops;
  for (auto& resolver : resolvers) loops.push_back(repeat(*resolver));
  co_await join_all(std::move(loops));
  co_return static_cast<double>(answered) / std::chrono::duration<double>(SteadyClock::now() - start).count();
}

}  // namespace

asio::awaitable<DnsMeasurements> measure_dns(const DnsWorkload& workload) {
  DnsMeasurements out;
  Resolver resolver(co_await asio::this_coro::executor, workload);
  for (int i = 0; i < 10; ++i) co_await resolver.ask();  // warm up
  std::vector<double> query_ms;
  for (unsigned i = 0; i < workload.queries && !testbed::interrupted(); ++i) {
    const auto t0 = SteadyClock::now();
    co_await resolver.ask();
    query_ms.push_back(milliseconds_between(t0, SteadyClock::now()));
  }
  out.query_ms = summarize(query_ms);
  out.queries_per_second = co_await rate_with_sockets(workload, 1);
  out.concurrent_queries_per_second = co_await rate_with_sockets(workload, workload.clients);
  co_return out;
}

}  // namespace msocket::mbench
