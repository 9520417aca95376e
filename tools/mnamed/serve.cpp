// mnamed serve: the name service's daemon (man/mnamed.8, serve).
#include <csignal>
#include <cstdio>
#include <string>

#include <boost/asio/ip/tcp.hpp>

#include "command_line.hpp"
#include "core/log.hpp"
#include "names/dns_server.hpp"
#include "names/server.hpp"
#include "names/store.hpp"

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

}  // namespace

int serve(const Invocation& in) {
  if (!in.args.empty()) throw UsageError("unexpected argument '" + in.args[0] + "'");
  if (!in.options.count("data-dir")) throw UsageError("--data-dir DIR is required");
  const auto options = server_options(in);
  const auto dir = text(in, "data-dir");
  // The io_context outlives the store: the store's writer wakes the
  // requests waiting for the disk through it.
  asio::io_context context;
  auto store = open_store(dir);
  if (!store) throw RuntimeError("data directory " + dir + ": " + store.error().message());
  names::Registry registry(**store);
  auto server = names::Server::start(context.get_executor(), registry, options);
  if (!server) throw RuntimeError("cannot listen on " + text(in, "listen") + ": " + server.error().message());
  const auto bound = (*server)->local_endpoint();
  // The status line tests and scripts wait for (STYLE.md, "Logging").
  std::fprintf(stderr, "mnamed: listening on %s:%u\n", bound.address().to_string().c_str(), unsigned(bound.port()));
  msocket::log::names()->info("{} names in {}", (*store)->size(), dir);
  const auto dns = start_dns(context, registry, in);
  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    hold_further_signals();
    (*server)->stop();
    if (dns) dns->stop();
  });
  context.run();
  // A status line, as "listening on" is: how much the group commit shared.
  std::fprintf(stderr, "mnamed: %llu updates made durable with %llu fdatasyncs\n",
               static_cast<unsigned long long>((*store)->writes_committed()),
               static_cast<unsigned long long>((*store)->syncs()));
  if (dns) print_dns_counts(dns->counts());
  return kExitOk;
}

void add_serve_options(po::options_description& d) {
  d.add_options()("data-dir", po::value<std::string>(), "keep the records in DIR (log and snapshot)")(
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
