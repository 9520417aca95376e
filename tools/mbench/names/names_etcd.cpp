#include "names/names_etcd.hpp"

#include <memory>
#include <random>

#include <boost/asio/io_context.hpp>
#include <boost/asio/this_coro.hpp>

#include "common/event_loop.hpp"
#include "core/log.hpp"
#include "names/names_load.hpp"
#include "names/names_measure.hpp"
#include "names/names_watch.hpp"
#include "testbed/child_process.hpp"
#include "testbed/interruption.hpp"
#include "testbed/log_lines.hpp"

namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace msocket::mbench {

namespace {

// etcd needs a few seconds to elect a leader; mnamed waits for it (its
// store's first call retries for 10 s) before it says it listens.
constexpr auto kFrontEndStart = std::chrono::seconds(20);

// The processes of one scenario, stopped when it is destroyed (front ends
// first: they are the store's clients).
struct Scenario {
  std::vector<std::unique_ptr<testbed::ChildProcess>> members;
  std::vector<std::unique_ptr<testbed::ChildProcess>> front_ends;
  std::vector<names::ServerUrl> urls;  // of the front ends
  ~Scenario() {
    front_ends.clear();
    members.clear();
  }
};

// A loopback network of this run's own, 127.0.R.0/24, so that runs at once
// (or a leftover member) do not collide.
std::string member_address(unsigned net, unsigned member) {
  return "127.0." + std::to_string(net) + "." + std::to_string(member);
}

// `count` etcd members forming one cluster, data in `dir`.
void start_members(const StoreComparisonWorkload& w, unsigned count, const fs::path& dir, Scenario& scenario,
                   std::vector<std::string>& client_urls) {
  const unsigned net = std::random_device{}() % 200 + 20;
  std::string cluster;
  for (unsigned i = 1; i <= count; ++i)
    cluster += (cluster.empty() ? "" : ",") + ("m" + std::to_string(i)) + "=http://" + member_address(net, i) + ":2380";
  for (unsigned i = 1; i <= count; ++i) {
    const auto address = member_address(net, i);
    const auto client = "http://" + address + ":2379", peer = "http://" + address + ":2380";
    client_urls.push_back(client);
    scenario.members.push_back(std::make_unique<testbed::ChildProcess>(
        std::vector<std::string>{w.etcd.string(), "--name", "m" + std::to_string(i), "--data-dir",
                                 (dir / ("member" + std::to_string(i))).string(), "--listen-client-urls", client,
                                 "--advertise-client-urls", client, "--listen-peer-urls", peer,
                                 "--initial-advertise-peer-urls", peer, "--initial-cluster", cluster,
                                 "--initial-cluster-token", dir.filename().string()},
        testbed::ChildStreams{-1, -1, dir / ("member" + std::to_string(i) + ".log")}));
  }
}

// A front end, measured rather than protected: no per-address or per-key limits.
void start_front_end(const StoreComparisonWorkload& w, std::vector<std::string> store, const fs::path& log,
                     Scenario& scenario) {
  std::vector<std::string> argv{w.mnamed.string(), "serve", "--listen", "127.0.0.1:0",
                                "--max-connections-per-address", "0", "--max-watches-per-address", "0",
                                "--update-rate", "0"};
  argv.insert(argv.end(), store.begin(), store.end());
  scenario.front_ends.push_back(std::make_unique<testbed::ChildProcess>(argv, testbed::ChildStreams{-1, -1, log}));
  const auto port = testbed::wait_for_listening_port(log, *scenario.front_ends.back(), kFrontEndStart);
  scenario.urls.push_back({"127.0.0.1", std::to_string(port)});
}

void start_scenario(const StoreComparisonWorkload& w, const StoreFigures& figures, Scenario& scenario) {
  const auto dir = w.scratch / ("store-" + std::to_string(figures.members) + "-" + std::to_string(figures.front_ends));
  fs::create_directories(dir);
  if (figures.members == 0) {
    fs::create_directories(dir / "data");
    start_front_end(w, {"--data-dir", (dir / "data").string()}, dir / "mnamed.log", scenario);
    return;
  }
  std::vector<std::string> members;
  start_members(w, figures.members, dir, scenario, members);
  for (unsigned f = 0; f < figures.front_ends; ++f) {
    // Each front end starts with another member, as an operator would spread them.
    std::string urls;
    for (unsigned i = 0; i < members.size(); ++i) urls += (i ? "," : "") + members[(f + i) % members.size()];
    start_front_end(w, {"--store", "etcd=" + urls}, dir / ("mnamed" + std::to_string(f + 1) + ".log"), scenario);
  }
}

asio::awaitable<void> measure(const StoreComparisonWorkload& w, const Scenario& scenario, StoreFigures& out) {
  const auto executor = co_await asio::this_coro::executor;
  const auto prefix = w.name_prefix + "-" + std::to_string(out.members) + "-" + std::to_string(out.front_ends);
  NameWriter main_writer(prefix + ".bench");
  {
    names::Client client(executor, scenario.urls.front());
    co_await main_writer.put_next(client);
  }
  const std::string name = main_writer.name();
  out.lookups_per_second = co_await rate_with_clients(
      scenario.urls, w.phase_time, w.clients, [&](names::Client& c, unsigned) { return expect_lookup(c, name, true); });
  std::vector<NameWriter> writers;
  for (unsigned i = 1; i <= w.clients; ++i) writers.emplace_back(prefix + "-" + std::to_string(i) + ".bench");
  out.updates_per_second = co_await rate_with_clients(
      scenario.urls, w.phase_time, w.clients, [&](names::Client& c, unsigned i) { return writers[i].put_next(c); });
  const auto watch = co_await measure_watch_latency(scenario.urls.front(), scenario.urls.back(), main_writer, w.watches);
  out.watch_from_acknowledgement_ms = summarize(watch.from_acknowledgement_ms);
  out.watch_from_request_ms = summarize(watch.from_request_ms);
}

}  // namespace

std::string describe(const StoreFigures& f) {
  if (f.members == 0) return "log store";
  return "etcd, " + std::to_string(f.members) + (f.members == 1 ? " member, " : " members, ") +
         std::to_string(f.front_ends) + (f.front_ends == 1 ? " front end" : " front ends");
}

std::vector<StoreFigures> compare_stores(const StoreComparisonWorkload& workload, Progress& progress) {
  std::vector<StoreFigures> all;
  for (const auto& [members, front_ends] : {std::pair{0u, 1u}, {1u, 1u}, {1u, 2u}, {3u, 1u}, {3u, 2u}}) {
    all.emplace_back();
    all.back().members = members;
    all.back().front_ends = front_ends;
  }
  for (auto& figures : all) {
    testbed::throw_if_interrupted();
    progress.step(describe(figures) + ": lookups/s and updates/s with " + std::to_string(workload.clients) +
                  " clients, then " + std::to_string(workload.watches) + " watched updates");
    Scenario scenario;
    start_scenario(workload, figures, scenario);
    asio::io_context context;
    run_to_completion(context, measure(workload, scenario, figures), "names store comparison");
    log::tool()->info("{}: {:.0f} lookups/s, {:.0f} updates/s, watch p50 {:.2f} ms", describe(figures),
                      figures.lookups_per_second, figures.updates_per_second, figures.watch_from_acknowledgement_ms.p50);
  }
  return all;
}

}  // namespace msocket::mbench
