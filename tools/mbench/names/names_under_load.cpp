#include "names/names_under_load.hpp"

#include <memory>
#include <stdexcept>

#include <boost/asio/this_coro.hpp>

#include "names/names_load.hpp"
#include "testbed/interruption.hpp"

namespace asio = boost::asio;

namespace msocket::mbench {

namespace {

// One writer's loop: its own connection, updates back to back until `deadline`.
asio::awaitable<void> write_until(const names::ServerUrl& server, NameWriter& writer, SteadyClock::time_point deadline,
                                  std::uint64_t& updates) {
  names::Client client(co_await asio::this_coro::executor, server);
  while (SteadyClock::now() < deadline && !testbed::interrupted()) {
    co_await writer.put_next(client);
    ++updates;
  }
}

// Lookups one after another until `deadline`, each timed.
asio::awaitable<void> look_up_until(const names::ServerUrl& server, const std::string& name,
                                    SteadyClock::time_point deadline, std::vector<double>& lookup_ms) {
  names::Client client(co_await asio::this_coro::executor, server);
  while (SteadyClock::now() < deadline && !testbed::interrupted()) {
    const auto start = SteadyClock::now();
    auto looking_up = client.lookup(name);  // a statement of its own (g++ 12 and co_await temporaries)
    auto found = co_await std::move(looking_up);
    if (!found) throw std::runtime_error("lookup of " + name + " during the updates failed: " + found.error().message());
    lookup_ms.push_back(milliseconds_between(start, SteadyClock::now()));
  }
}

}  // namespace

asio::awaitable<UnderLoad> measure_updates_under_load(const NamesWorkload& workload, const std::string& lookup_name) {
  std::vector<std::unique_ptr<NameWriter>> writers;
  std::vector<asio::awaitable<void>> registrations;
  std::vector<std::unique_ptr<names::Client>> clients;
  const auto executor = co_await asio::this_coro::executor;
  for (unsigned i = 0; i < workload.writers; ++i) {
    writers.push_back(std::make_unique<NameWriter>(workload.name_prefix + "-w" + std::to_string(i) + ".bench"));
    clients.push_back(std::make_unique<names::Client>(executor, workload.server));
    registrations.push_back(writers.back()->put_next(*clients.back()));
  }
  auto registering = join_all(std::move(registrations));
  co_await std::move(registering);
  clients.clear();

  std::uint64_t updates = 0;
  std::vector<double> lookup_ms;
  const auto start = SteadyClock::now();
  const auto deadline = start + workload.phase_time;
  std::vector<asio::awaitable<void>> tasks;
  for (auto& writer : writers) tasks.push_back(write_until(workload.server, *writer, deadline, updates));
  tasks.push_back(look_up_until(workload.server, lookup_name, deadline, lookup_ms));
  auto running = join_all(std::move(tasks));
  co_await std::move(running);
  const auto seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  co_return UnderLoad{static_cast<double>(updates) / seconds, summarize(std::move(lookup_ms))};
}

}  // namespace msocket::mbench
