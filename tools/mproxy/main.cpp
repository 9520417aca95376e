// mproxy: the relay that lets servers behind NAT be reached (man/mproxy.8).
// Parses its options, opens the relay (lib/proxy/relay.hpp) and its
// metrics, and turns SIGTERM into a drain and SIGINT into a stop.
#include <csignal>
#include <cctype>
#include <cstdio>
#include <iostream>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>

#include "core/log.hpp"
#include "names/client.hpp"
#include "proxy/metrics.hpp"
#include "proxy/relay.hpp"
#include "relay/duration.hpp"

namespace asio = boost::asio;
namespace po = boost::program_options;
namespace proxy = msocket::proxy;
using tcp = asio::ip::tcp;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitRuntime = 1;
constexpr int kExitUsage = 2;

constexpr const char* kUsage =
    "usage: mproxy --listen ADDR:PORT [--public ADDR] [--names URL] [--metrics ADDR:PORT] [limits]\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Settings {
  proxy::RelayConfig relay;
  std::optional<tcp::endpoint> metrics;
  msocket::Duration drain_timeout = std::chrono::minutes(10);
  int verbosity = 0;
};

// "ADDR:PORT" with a literal address ("[v6]:PORT" for IPv6).
tcp::endpoint endpoint_option(const po::variables_map& vm, const char* option) {
  const auto value = vm[option].as<std::string>();
  const auto colon = value.rfind(':');
  std::string host = colon == std::string::npos ? "" : value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  const auto port = colon == std::string::npos ? "" : value.substr(colon + 1);
  const bool port_ok = !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos &&
                       std::stoi(port) <= 65535;
  if (ec || !port_ok) throw UsageError(std::string("--") + option + " wants ADDR:PORT, got '" + value + "'");
  return {address, static_cast<unsigned short>(std::stoi(port))};
}

// --public: the address clients dial, given as ADDR or ADDR:PORT (the
// port, that of the control channel as seen from outside, is not needed).
asio::ip::address public_option(const po::variables_map& vm) {
  auto value = vm["public"].as<std::string>();
  boost::system::error_code ec;
  auto address = asio::ip::make_address(value, ec);
  if (!ec) return address;
  const auto colon = value.rfind(':');
  if (colon != std::string::npos) {
    auto host = value.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    address = asio::ip::make_address(host, ec);
    if (!ec) return address;
  }
  throw UsageError("--public wants an IP address (or ADDR:PORT), got '" + value + "'");
}

std::size_t count_option(const po::variables_map& vm, const char* option) {
  const auto value = vm[option].as<std::string>();
  const bool digits = !value.empty() && value.size() <= 9 && value.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || std::stoull(value) == 0)
    throw UsageError(std::string("--") + option + " wants a whole number of at least 1, got '" + value + "'");
  return std::stoull(value);
}

// --flow-limit BYTES,SECONDS: "10M,1", "512K,0.5s".
proxy::FlowLimit flow_limit_option(const po::variables_map& vm) {
  const auto value = vm["flow-limit"].as<std::string>();
  const auto bad = [&value] {
    return UsageError("--flow-limit wants BYTES,SECONDS (e.g. 10M,1 or 512K,500ms), got '" + value + "'");
  };
  const auto comma = value.find(',');
  if (comma == std::string::npos) throw bad();
  std::string bytes = value.substr(0, comma), period = value.substr(comma + 1);
  std::uint64_t scale = 1;
  if (!bytes.empty()) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(bytes.back())));
    if (unit == 'K' || unit == 'M' || unit == 'G') {
      scale = unit == 'K' ? 1ull << 10 : unit == 'M' ? 1ull << 20 : 1ull << 30;
      bytes.pop_back();
    }
  }
  if (bytes.empty() || bytes.size() > 12 || bytes.find_first_not_of("0123456789") != std::string::npos) throw bad();
  proxy::FlowLimit limit;
  limit.bytes = std::stoull(bytes) * scale;
  if (!period.empty() && period.find_first_not_of("0123456789.") == std::string::npos) period += "s";
  const auto d = msocket::relay::parse_duration(period);
  if (!d || *d <= msocket::Duration::zero() || limit.bytes == 0) throw bad();
  limit.period = *d;
  return limit;
}

msocket::Duration duration_option(const po::variables_map& vm, const char* option) {
  const auto value = vm[option].as<std::string>();
  const auto d = msocket::relay::parse_duration(value);
  if (!d || *d <= msocket::Duration::zero())
    throw UsageError(std::string("invalid time for --") + option + ": '" + value + "' (use e.g. 500ms, 30s, 10m)");
  return *d;
}

Settings parse(int argc, char** argv) {
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "show this help and exit")
      ("version", "show the version and exit")
      ("listen", po::value<std::string>(), "ADDR:PORT for servers' control channels and their flows' halves")
      ("public", po::value<std::string>(), "the address clients dial (default: --listen's address)")
      ("names", po::value<std::string>(), "name service URL (http://HOST:PORT): who owns a name")
      ("metrics", po::value<std::string>(), "serve Prometheus metrics over HTTP on ADDR:PORT")
      ("max-reservations", po::value<std::string>()->default_value("1000"), "names reserved at once")
      ("max-flows", po::value<std::string>()->default_value("10000"), "flowpaths spliced or waiting at once")
      ("max-per-source", po::value<std::string>()->default_value("16"), "unfinished handshakes from one address")
      ("ttl", po::value<std::string>()->default_value("30s"), "a reservation lives this long after its last renewal")
      ("idle-timeout", po::value<std::string>()->default_value("10m"), "close a flow that moved no byte for this long")
      ("flow-limit", po::value<std::string>(), "BYTES,SECONDS: at most BYTES (K, M, G: powers of 1024) every SECONDS per flow")
      ("drain-timeout", po::value<std::string>()->default_value("10m"), "after SIGTERM, exit after this long even with flows left")
      ("verbose,v", "more log output on stderr (-vv for more)");
  // -v and -vv: counted before Program_options (which has no counting flag).
  Settings s;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.size() >= 2 && a[0] == '-' && a[1] == 'v' && a.find_first_not_of('v', 1) == std::string::npos) {
      s.verbosity += static_cast<int>(a.size() - 1);
      continue;
    }
    if (a == "--verbose") {
      ++s.verbosity;
      continue;
    }
    args.push_back(a);
  }
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(visible).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    std::cout << kUsage << "\n" << visible << "\nSIGTERM drains (servers are told to move; exit when flows end), SIGINT stops.\n"
                 "Exit status: 0 success, 1 runtime error, 2 usage error.\n";
    std::exit(kExitOk);
  }
  if (vm.count("version")) {
    std::cout << "mproxy " << MSOCKET_VERSION << "\n";
    std::exit(kExitOk);
  }
  if (!vm.count("listen")) throw UsageError("--listen ADDR:PORT is required");
  s.relay.listen = endpoint_option(vm, "listen");
  s.relay.public_address = vm.count("public") ? public_option(vm) : s.relay.listen.address();
  if (s.relay.public_address.is_unspecified())
    throw UsageError("--public ADDR is required when --listen is a wildcard address (clients must be told where to dial)");
  if (vm.count("names")) {
    auto url = msocket::names::parse_server_url(vm["names"].as<std::string>());
    if (!url) throw UsageError("--names wants http://HOST:PORT, got '" + vm["names"].as<std::string>() + "'");
    s.relay.names = *url;
  }
  if (vm.count("metrics")) s.metrics = endpoint_option(vm, "metrics");
  s.relay.limits.max_reservations = count_option(vm, "max-reservations");
  s.relay.limits.max_flows = count_option(vm, "max-flows");
  s.relay.limits.handshakes_per_source = count_option(vm, "max-per-source");
  s.relay.limits.ttl = duration_option(vm, "ttl");
  // Renewals come every ttl/3, announced in whole seconds.
  if (s.relay.limits.ttl < std::chrono::seconds(3)) throw UsageError("--ttl must be at least 3s");
  s.relay.limits.splice.idle_timeout = duration_option(vm, "idle-timeout");
  if (vm.count("flow-limit")) s.relay.limits.splice.limit = flow_limit_option(vm);
  s.drain_timeout = duration_option(vm, "drain-timeout");
  return s;
}

// Calls `stop` once a drain has no flows left, or its time is up.
void stop_when_drained(asio::steady_timer& poll, const std::shared_ptr<proxy::Relay>& relay, msocket::TimePoint give_up,
                       std::function<void()> stop) {
  poll.expires_after(std::chrono::milliseconds(100));
  poll.async_wait([&poll, relay, give_up, stop = std::move(stop)](boost::system::error_code ec) mutable {
    if (ec) return;
    if (relay->idle() || msocket::Clock::now() >= give_up) {
      if (!relay->idle()) msocket::log::proxy()->warn("drain time is up with {} flow(s) left", relay->counters().flows);
      stop();
      return;
    }
    stop_when_drained(poll, relay, give_up, std::move(stop));
  });
}

int serve(const Settings& s) {
  asio::io_context context;
  auto relay = proxy::Relay::open(context.get_executor(), s.relay);
  if (!relay) {
    std::fprintf(stderr, "mproxy: cannot listen on %s:%u: %s\n", s.relay.listen.address().to_string().c_str(),
                 unsigned(s.relay.listen.port()), relay.error().message().c_str());
    return kExitRuntime;
  }
  (*relay)->start();
  std::shared_ptr<proxy::MetricsServer> metrics;
  if (s.metrics) {
    auto r = *relay;
    auto opened = proxy::MetricsServer::open(context.get_executor(), *s.metrics,
                                             [r] { return proxy::metrics_text(r->counters(), r->draining()); });
    if (!opened) {
      std::fprintf(stderr, "mproxy: cannot serve metrics on %s:%u: %s\n", s.metrics->address().to_string().c_str(),
                   unsigned(s.metrics->port()), opened.error().message().c_str());
      return kExitRuntime;
    }
    metrics = *opened;
    metrics->start();
    const auto at = metrics->local_endpoint();
    std::fprintf(stderr, "mproxy: metrics on %s:%u\n", at.address().to_string().c_str(), unsigned(at.port()));
  }
  const auto bound = (*relay)->local_endpoint();
  // The status line tests and scripts wait for.
  std::fprintf(stderr, "mproxy: listening on %s:%u\n", bound.address().to_string().c_str(), unsigned(bound.port()));
  asio::steady_timer poll(context);
  asio::signal_set signals(context, SIGINT, SIGTERM);
  // Closing everything ends the run: nothing is left for the io_context.
  auto stop = [&] {
    poll.cancel();
    signals.cancel();
    (*relay)->close();
    if (metrics) metrics->close();
  };
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGTERM && !(*relay)->draining()) {
      (*relay)->drain();
      stop_when_drained(poll, *relay, msocket::Clock::now() + s.drain_timeout, stop);
      signals.async_wait(on_signal);  // a second signal stops at once
      return;
    }
    stop();
  };
  signals.async_wait(on_signal);
  context.run();
  const auto c = (*relay)->counters();
  // A status line, as "listening on" is (mbench proxy reads it).
  std::fprintf(stderr, "mproxy: %llu flow(s), %llu bytes spliced, %llu bytes copied\n",
               static_cast<unsigned long long>(c.flows_total), static_cast<unsigned long long>(c.bytes_spliced),
               static_cast<unsigned long long>(c.bytes_copied));
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto settings = parse(argc, argv);
    msocket::log::send_logs_to_stderr(settings.verbosity);
    return serve(settings);
  } catch (const UsageError& e) {
    std::cerr << "mproxy: " << e.what() << "\n" << kUsage << "Try 'mproxy --help'.\n";
    return kExitUsage;
  } catch (const po::error& e) {
    std::cerr << "mproxy: " << e.what() << "\n" << kUsage << "Try 'mproxy --help'.\n";
    return kExitUsage;
  } catch (const std::exception& e) {
    std::cerr << "mproxy: " << e.what() << "\n";
    return kExitRuntime;
  }
}
