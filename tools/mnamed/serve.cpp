// mnamed serve: the name service's daemon (man/mnamed.8, serve).
#include <csignal>
#include <cstdio>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "command_line.hpp"
#include "core/log.hpp"
#include "names/dns_server.hpp"
#include "names/server.hpp"
#include "names/etcd_store.hpp"
#include "names/log_store.hpp"

namespace mnamed {
namespace {

names::ServerOptions server_options(const Invocation& in) {
  names::ServerOptions options;
  options.listen = endpoint_option(in, "listen");
  options.max_connections = count_option(in, "max-connections");
  if (options.max_connections == 0) throw UsageError("--max-connections must be at least 1");
  options.max_connections_per_address = count_option(in, "max-connections-per-address");
  options.max_watches = count_option(in, "max-watches");
  options.max_watches_per_address = count_option(in, "max-watches-per-address");
  options.update_rate.per_second = static_cast<double>(count_option(in, "update-rate"));
  options.update_rate.burst = static_cast<double>(count_option(in, "update-burst"));
  if (options.update_rate.per_second > 0 && options.update_rate.burst < 1)
    throw UsageError("--update-burst must be at least 1 with an --update-rate");
  return options;
}

// Opens the store with SIGINT and SIGTERM blocked, so that its writing
// thread never takes them: they go to the thread that handles them.
msocket::result<std::unique_ptr<names::LogStore>> open_store(const std::string& dir) {
  sigset_t blocked, previous;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGINT);
  sigaddset(&blocked, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &blocked, &previous);
  auto store = names::LogStore::open(dir);
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return store;
}

// --store etcd=URL[,URL...]: opens the etcd store, running `context` until
// the cluster has answered (or every endpoint failed).
std::unique_ptr<names::EtcdStore> open_etcd_store(asio::io_context& context, const std::string& urls) {
  auto endpoints = names::parse_server_list(urls);
  if (!endpoints) throw UsageError("--store etcd= wants http://HOST:PORT[,http://HOST:PORT...], got '" + urls + "'");
  std::optional<msocket::result<std::unique_ptr<names::EtcdStore>>> opened;
  asio::co_spawn(context, names::EtcdStore::open(context.get_executor(), std::move(*endpoints)),
                 [&](std::exception_ptr e, msocket::result<std::unique_ptr<names::EtcdStore>> store) {
                   if (e) std::rethrow_exception(e);
                   opened = std::move(store);
                 });
  while (!opened && context.run_one()) {
  }
  context.restart();
  if (!opened || !*opened) throw RuntimeError("etcd store at " + urls + ": " + (opened ? opened->error().message() : "not opened"));
  return std::move(**opened);
}

// Serves `store` (over HTTP, and DNS with --dns) until SIGINT or SIGTERM,
// which stop the servers and then call `stopping` (so that the store's own
// work, an etcd watch, ends too).
void serve_store(asio::io_context& context, const Invocation& in, names::Store& store,
                 const names::ServerOptions& options, const std::string& described,
                 std::function<void()> stopping = {}) {
  const auto listen = text(in, "listen");
  names::Registry registry(store);
  auto server = names::Server::start(context.get_executor(), registry, options);
  if (!server) throw RuntimeError("cannot listen on " + listen + ": " + server.error().message());
  const auto bound = (*server)->local_endpoint();
  // The status line tests and scripts wait for (STYLE.md, "Logging").
  std::fprintf(stderr, "mnamed: listening on %s:%u\n", bound.address().to_string().c_str(), unsigned(bound.port()));
  msocket::log::names()->info("serving {}", described);
  const auto dns = start_dns(context, registry, in);
  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    hold_further_signals();
    (*server)->stop();
    if (dns) dns->stop();
    if (stopping) stopping();
  });
  context.run();
  if (dns) print_dns_counts(dns->counts());
}

}  // namespace

int serve(const Invocation& in) {
  if (!in.args.empty()) throw UsageError("unexpected argument '" + in.args[0] + "'");
  const auto options = server_options(in);
  const auto store_kind = text(in, "store");
  // The io_context outlives the store: the store's writer (or watch) wakes
  // the requests waiting on it through it.
  asio::io_context context;
  if (store_kind.starts_with("etcd=")) {
    if (in.options.count("data-dir")) throw UsageError("--data-dir is for the log store; an etcd store keeps nothing locally");
    const auto urls = store_kind.substr(5);
    auto store = open_etcd_store(context, urls);
    serve_store(context, in, *store, options, "names in etcd at " + urls, [&] { store->stop(); });
    std::fprintf(stderr, "mnamed: %llu etcd watch events, %llu leases granted\n",
                 static_cast<unsigned long long>(store->events_seen()),
                 static_cast<unsigned long long>(store->leases_granted()));
    return kExitOk;
  }
  if (store_kind != "log") throw UsageError("--store wants log or etcd=URL[,URL...], got '" + store_kind + "'");
  if (!in.options.count("data-dir")) throw UsageError("--data-dir DIR is required");
  const auto dir = text(in, "data-dir");
  auto store = open_store(dir);
  if (!store) throw RuntimeError("data directory " + dir + ": " + store.error().message());
  serve_store(context, in, **store, options, std::to_string((*store)->size()) + " names in " + dir);
  // A status line, as "listening on" is: how much the group commit shared.
  std::fprintf(stderr, "mnamed: %llu updates made durable with %llu fdatasyncs\n",
               static_cast<unsigned long long>((*store)->writes_committed()),
               static_cast<unsigned long long>((*store)->syncs()));
  return kExitOk;
}

void add_serve_options(po::options_description& d) {
  d.add_options()("store", po::value<std::string>()->default_value("log"),
                  "where records are kept: log (in --data-dir) or etcd=URL[,URL...] (an etcd v3 cluster)")(
      "data-dir", po::value<std::string>(), "keep the records in DIR (log and snapshot)")(
      "listen", po::value<std::string>()->default_value("127.0.0.1:7353"), "serve HTTP on ADDR:PORT")(
      "max-connections", po::value<std::string>()->default_value("1024"), "connections open at once, in all")(
      "max-connections-per-address", po::value<std::string>()->default_value("64"),
      "connections open at once from one source address (0: no limit)")(
      "max-watches", po::value<std::string>()->default_value("512"), "watches held at once, in all (0: no limit)")(
      "max-watches-per-address", po::value<std::string>()->default_value("32"),
      "watches held at once for one source address (0: no limit)")(
      "update-rate", po::value<std::string>()->default_value("20"),
      "updates (puts and deletes) a second per owner key (0: no limit)")(
      "update-burst", po::value<std::string>()->default_value("40"), "updates one owner key may send at once");
  add_dns_options(d);
}

}  // namespace mnamed
