#include "names/names_measure.hpp"

#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "common/command_line.hpp"
#include "common/event_loop.hpp"
#include "core/log.hpp"
#include "names/names_load.hpp"
#include "names/names_under_load.hpp"
#include "names/names_watch.hpp"
#include "testbed/interruption.hpp"

namespace asio = boost::asio;

namespace msocket::mbench {

namespace {

std::string seconds_text(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()) + " ms";
}

}  // namespace

asio::awaitable<void> expect_lookup(names::Client& client, const std::string& name, bool registered) {
  auto found = co_await client.lookup(name);
  if (registered && !found) throw std::runtime_error("lookup of " + name + " failed: " + found.error().message());
  if (!registered && (found || found.error() != names::name_error::not_found))
    throw std::runtime_error("lookup of the unknown name " + name + " did not answer 'not found'");
}

asio::awaitable<double> rate_with_clients(std::vector<names::ServerUrl> servers, Duration phase_time,
                                          unsigned count, NamesOperation operation) {
  const auto executor = co_await asio::this_coro::executor;
  std::vector<std::unique_ptr<names::Client>> clients;
  for (unsigned i = 0; i < count; ++i)
    clients.push_back(std::make_unique<names::Client>(executor, servers[i % servers.size()]));
  std::vector<asio::awaitable<void>> warm_ups;
  for (unsigned i = 0; i < count; ++i) warm_ups.push_back(operation(*clients[i], i));
  co_await join_all(std::move(warm_ups));

  std::uint64_t completed = 0;
  const auto start = SteadyClock::now();
  const auto deadline = start + phase_time;
  auto repeat = [&](unsigned i) -> asio::awaitable<void> {
    while (SteadyClock::now() < deadline && !testbed::interrupted()) {
      co_await operation(*clients[i], i);
      ++completed;
    }
  };
  std::vector<asio::awaitable<void>> loops;
  for (unsigned i = 0; i < count; ++i) loops.push_back(repeat(i));
  co_await join_all(std::move(loops));
  co_return static_cast<double>(completed) / std::chrono::duration<double>(SteadyClock::now() - start).count();
}

namespace {

// rate_with_clients on the workload's one server.
asio::awaitable<double> workload_rate(const NamesWorkload& workload, unsigned count, NamesOperation operation) {
  auto measuring = rate_with_clients(std::vector<names::ServerUrl>{workload.server}, workload.phase_time, count,
                                     std::move(operation));
  co_return co_await std::move(measuring);
}

// Lookups of a registered and an unknown name, alternating, so that both
// see the same conditions (CPU load from elsewhere comes and goes).
asio::awaitable<void> lookup_latency(const NamesWorkload& workload, const std::string& name,
                                     NamesMeasurements& out) {
  names::Client client(co_await asio::this_coro::executor, workload.server);
  const std::string absent = workload.name_prefix + "-absent.bench";
  for (int i = 0; i < 10; ++i) {  // connect, fill caches
    co_await expect_lookup(client, name, true);
    co_await expect_lookup(client, absent, false);
  }
  std::vector<double> found_ms, absent_ms;
  for (unsigned i = 0; i < workload.lookups && !testbed::interrupted(); ++i) {
    const auto t0 = SteadyClock::now();
    co_await expect_lookup(client, name, true);
    const auto t1 = SteadyClock::now();
    co_await expect_lookup(client, absent, false);
    found_ms.push_back(milliseconds_between(t0, t1));
    absent_ms.push_back(milliseconds_between(t1, SteadyClock::now()));
  }
  out.lookup_ms = summarize(found_ms);
  out.absent_lookup_ms = summarize(absent_ms);
}

// One client updating one name, back to back, for the phase time.
asio::awaitable<void> sequential_updates(const NamesWorkload& workload, NameWriter& writer, NamesMeasurements& out) {
  names::Client client(co_await asio::this_coro::executor, workload.server);
  co_await writer.put_next(client);  // connect
  std::vector<double> update_ms;
  const auto start = SteadyClock::now();
  while (SteadyClock::now() - start < workload.phase_time && !testbed::interrupted()) {
    const auto t0 = SteadyClock::now();
    co_await writer.put_next(client);
    update_ms.push_back(milliseconds_between(t0, SteadyClock::now()));
  }
  const auto elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
  out.update_ms = summarize(update_ms);
  out.updates_per_second = static_cast<double>(update_ms.size()) / elapsed;
}

// Announces the next step, unless SIGINT or SIGTERM came: then the steps
// left are not started (each would end at once, with nothing measured).
void next_step(Progress& progress, const std::string& what) {
  testbed::throw_if_interrupted();
  progress.step(what);
}

asio::awaitable<void> all_phases(const NamesWorkload& workload, Progress& progress, NamesMeasurements& out) {
  NameWriter main_writer(workload.name_prefix + ".bench");
  {
    names::Client client(co_await asio::this_coro::executor, workload.server);
    co_await main_writer.put_next(client);  // registers the name the lookups ask for
  }
  next_step(progress, "lookup latency: " + std::to_string(workload.lookups) + " lookups, and as many of an unknown name");
  co_await lookup_latency(workload, main_writer.name(), out);

  const auto clients = std::to_string(workload.clients) + " clients, " + seconds_text(workload.phase_time);
  next_step(progress, "lookups per second: 1 client, then " + clients + " each, of a registered and of an unknown name");
  const std::string name = main_writer.name(), absent = workload.name_prefix + "-absent.bench";
  const NamesOperation lookup = [&](names::Client& c, unsigned) { return expect_lookup(c, name, true); };
  const NamesOperation absent_lookup = [&](names::Client& c, unsigned) { return expect_lookup(c, absent, false); };
  out.lookups_per_second = co_await workload_rate(workload, 1, lookup);
  out.absent_per_second = co_await workload_rate(workload, 1, absent_lookup);
  out.concurrent_lookups_per_second = co_await workload_rate(workload, workload.clients, lookup);
  out.concurrent_absent_per_second = co_await workload_rate(workload, workload.clients, absent_lookup);

  if (workload.dns) {
    next_step(progress, "DNS: " + std::to_string(workload.lookups) + " A queries of the name, then queries per second" +
                           " with 1 socket and " + std::to_string(workload.clients));
    const DnsWorkload dns{*workload.dns, name + "." + workload.dns_zone, workload.lookups, workload.clients,
                          workload.phase_time};
    out.dns = co_await measure_dns(dns);
  }

  next_step(progress, "updates per second: 1 client, then " + clients);
  co_await sequential_updates(workload, main_writer, out);
  std::vector<NameWriter> writers;
  for (unsigned i = 1; i <= workload.clients; ++i)
    writers.emplace_back(workload.name_prefix + "-" + std::to_string(i) + ".bench");
  out.concurrent_updates_per_second = co_await workload_rate(
      workload, workload.clients, [&](names::Client& c, unsigned i) { return writers[i].put_next(c); });

  next_step(progress, "group commit: " + std::to_string(workload.writers) + " writers at once for " +
                         seconds_text(workload.phase_time) + ", lookups timed meanwhile");
  const auto loaded = co_await measure_updates_under_load(workload, main_writer.name());
  out.loaded_updates_per_second = loaded.updates_per_second;
  out.loaded_lookup_ms = loaded.lookup_ms;

  next_step(progress, "watch latency: " + std::to_string(workload.watches) + " updates seen by a long-poll watcher");
  const auto watch = co_await measure_watch_latency(workload.server, workload.server, main_writer, workload.watches);
  out.watch_ms = summarize(watch.from_request_ms);
}

}  // namespace

NamesMeasurements measure_names(const NamesWorkload& workload, Progress& progress) {
  // On Ctrl-C the destroyed context ends the suspended operations (the
  // Client allows it), and the caller cleans up.
  asio::io_context context;
  NamesMeasurements measurements;
  run_to_completion(context, all_phases(workload, progress, measurements), "names benchmark");
  return measurements;
}

}  // namespace msocket::mbench
