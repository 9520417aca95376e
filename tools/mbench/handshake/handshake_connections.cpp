#include "handshake/handshake_connections.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>

#include "common/event_loop.hpp"
#include "core/coroutine.hpp"
#include "msocket/connect.hpp"
#include "names/names_load.hpp"
#include "testbed/interruption.hpp"

namespace asio = boost::asio;

namespace msocket::mbench {

namespace {

// What each connection carries: enough for the listener to see the client's
// first record (it hands a NEW connection on only then), little to time.
constexpr char kGreeting[] = "mbench handshake\n";

asio::awaitable<void> one_connection(const HandshakeTarget& target, std::vector<double>& connect_ms) {
  const auto executor = co_await asio::this_coro::executor;
  const auto start = SteadyClock::now();
  auto [connect_error, connection] =
      co_await msocket::async_connect(executor, target.address, std::to_string(target.port), target.options, use_tuple);
  if (connect_error) throw std::runtime_error("the " + target.name + " listener: connect: " + connect_error.message());
  connect_ms.push_back(milliseconds_between(start, SteadyClock::now()));
  auto [write_error, written] = co_await asio::async_write(connection, asio::buffer(kGreeting, sizeof kGreeting - 1), use_tuple);
  if (write_error) throw std::runtime_error("the " + target.name + " listener: write: " + write_error.message());
  connection.shutdown_write();
  auto [close_error] = co_await connection.async_wait_closed(use_tuple);
  if (close_error) throw std::runtime_error("the " + target.name + " listener: close: " + close_error.message());
}

// `count` connections to `target`, `concurrency` at a time; `after_each`
// is called as each one closes.
asio::awaitable<void> batch(const HandshakeTarget& target, unsigned count, unsigned concurrency,
                            std::vector<double>& connect_ms, const std::function<void()>& after_each) {
  unsigned started = 0;
  auto worker = [&]() -> asio::awaitable<void> {
    while (started < count) {
      ++started;
      co_await one_connection(target, connect_ms);
      after_each();
    }
  };
  std::vector<asio::awaitable<void>> workers;
  for (unsigned i = 0; i < std::min(concurrency, count); ++i) workers.push_back(worker());
  co_await join_all(std::move(workers));
}

asio::awaitable<void> all_batches(const std::vector<HandshakeTarget>& targets, const HandshakeWorkload& workload,
                                  std::vector<HandshakeSamples>& samples, const HandshakeProgress& progress) {
  std::vector<double> discarded;
  for (const auto& target : targets) co_await batch(target, workload.warm_up, workload.concurrency, discarded, [] {});
  unsigned done = 0;
  const std::function<void()> after_each = [&] {
    ++done;
    if (progress) progress(done);
  };
  const auto n = targets.size();
  for (unsigned round = 0; round < workload.rounds; ++round) {
    // This round's share of the connections, so that the rounds add up to them.
    const unsigned count = workload.connections * (round + 1) / workload.rounds - workload.connections * round / workload.rounds;
    for (std::size_t k = 0; k < n; ++k) {
      const auto i = round % 2 ? n - 1 - k : k;  // odd rounds go the other way round
      const auto start = SteadyClock::now();
      co_await batch(targets[i], count, workload.concurrency, samples[i].connect_ms, after_each);
      samples[i].seconds += std::chrono::duration<double>(SteadyClock::now() - start).count();
    }
  }
}

}  // namespace

std::vector<HandshakeSamples> measure_handshakes(const std::vector<HandshakeTarget>& targets,
                                                 const HandshakeWorkload& workload, const HandshakeProgress& progress) {
  asio::io_context context;
  std::vector<HandshakeSamples> samples(targets.size());
  run_to_completion(context, all_batches(targets, workload, samples, progress), "the connections", workload.timeout);
  return samples;
}

}  // namespace msocket::mbench
