#include "names/names_under_load.hpp"

#include <exception>
#include <memory>
#include <stdexcept>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
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

// The timed lookups on a thread and io_context of their own, so that the
// writers' client work (signing, verifying answers) does not delay them:
// what they measure is the server.
class LookupThread {
 public:
  LookupThread(names::ServerUrl server, std::string name, SteadyClock::time_point deadline)
      : server_(std::move(server)), name_(std::move(name)) {
    thread_ = std::thread([this, deadline] {
      asio::io_context context;
      asio::co_spawn(context, look_up_until(server_, name_, deadline, lookup_ms_),
                     [this](std::exception_ptr e) { failure_ = e; });
      context.run();
    });
  }
  // Waits for the thread; rethrows what failed there.
  std::vector<double> finish() {
    thread_.join();
    if (failure_) std::rethrow_exception(failure_);
    return std::move(lookup_ms_);
  }
  ~LookupThread() {
    if (thread_.joinable()) thread_.join();
  }

 private:
  names::ServerUrl server_;
  std::string name_;
  std::vector<double> lookup_ms_;  // the thread's until finish()
  std::exception_ptr failure_;
  std::thread thread_;
};

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
  const auto start = SteadyClock::now();
  const auto deadline = start + workload.phase_time;
  LookupThread lookups(workload.server, lookup_name, deadline);
  std::vector<asio::awaitable<void>> tasks;
  for (auto& writer : writers) tasks.push_back(write_until(workload.server, *writer, deadline, updates));
  auto running = join_all(std::move(tasks));
  co_await std::move(running);
  const auto seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();
  co_return UnderLoad{static_cast<double>(updates) / seconds, summarize(lookups.finish())};
}

}  // namespace msocket::mbench
