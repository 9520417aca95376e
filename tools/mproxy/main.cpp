// mproxy: the relay that lets servers behind NAT be reached (man/mproxy.8).
// Parses its options, opens the relay (lib/proxy/relay.hpp) and its
// metrics, and turns SIGTERM into a drain and SIGINT into a stop.
#include <csignal>
#include <cctype>
#include <cstdio>
#include <iostream>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>

#include "core/fd_limit.hpp"
#include "core/log.hpp"
#include "names/client.hpp"
#include "names/key_file.hpp"
#include "proxy/metrics.hpp"
#include "proxy/pool_registration.hpp"
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
    "usage: mproxy --listen ADDR:PORT [--public ADDR] [--names URL [--key FILE [--name NAME]]] [--metrics ADDR:PORT]\n"
    "              [limits]\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Settings {
  proxy::RelayConfig relay;
  std::optional<tcp::endpoint> metrics;
  std::optional<std::string> key_file;  // join the pool of relays with this key
  std::string pool_name;
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

// "512K", "1M", "0": a byte count with an optional K, M or G (powers of
// 1024); nullopt if it is not one.
std::optional<std::uint64_t> parse_bytes(std::string text) {
  std::uint64_t scale = 1;
  if (!text.empty()) {
    const char unit = static_cast<char>(std::toupper(static_cast<unsigned char>(text.back())));
    if (unit == 'K' || unit == 'M' || unit == 'G') {
      scale = unit == 'K' ? 1ull << 10 : unit == 'M' ? 1ull << 20 : 1ull << 30;
      text.pop_back();
    }
  }
  if (text.empty() || text.size() > 12 || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return std::stoull(text) * scale;
}

// --flow-limit BYTES,SECONDS: "10M,1", "512K,0.5s".
proxy::FlowLimit flow_limit_option(const po::variables_map& vm) {
  const auto value = vm["flow-limit"].as<std::string>();
  const auto bad = [&value] {
    return UsageError("--flow-limit wants BYTES,SECONDS (e.g. 10M,1 or 512K,500ms), got '" + value + "'");
  };
  const auto comma = value.find(',');
  if (comma == std::string::npos) throw bad();
  std::string period = value.substr(comma + 1);
  const auto bytes = parse_bytes(value.substr(0, comma));
  if (!bytes) throw bad();
  proxy::FlowLimit limit;
  limit.bytes = *bytes;
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
      ("names", po::value<std::string>(), "name service URL (http://HOST:PORT, or front ends of one store, comma-separated): who owns a name")
      ("key", po::value<std::string>(), "with --names: join the pool of relays, registered with this key file (mnamed keygen)")
      ("name", po::value<std::string>(), "with --key: the relay's name in the pool, mproxy.SOMETHING (default: from --public and the port)")
      ("metrics", po::value<std::string>(), "serve Prometheus metrics over HTTP on ADDR:PORT")
      ("max-reservations", po::value<std::string>()->default_value("1000"), "names reserved at once")
      ("max-flows", po::value<std::string>()->default_value("10000"), "flowpaths spliced or waiting at once")
      ("max-per-source", po::value<std::string>()->default_value("16"), "unfinished handshakes from one address")
      ("max-reservations-per-source", po::value<std::string>()->default_value("64"),
       "names reserved at once from one address (raise it for servers behind a carrier's NAT)")
      ("ttl", po::value<std::string>()->default_value("30s"), "a reservation lives this long after its last renewal")
      ("idle-timeout", po::value<std::string>()->default_value("10m"), "close a flow that moved no byte for this long")
      ("flow-limit", po::value<std::string>(), "BYTES,SECONDS: at most BYTES (K, M, G: powers of 1024) every SECONDS per flow")
      ("buffer", po::value<std::string>()->default_value("512K"), "BYTES a flow may wait in the relay per direction beyond its flight (K, M); 0: the kernel's")
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
    auto urls = msocket::names::parse_server_list(vm["names"].as<std::string>());
    if (!urls)
      throw UsageError("--names wants http://HOST:PORT[,http://HOST:PORT...], got '" + vm["names"].as<std::string>() + "'");
    s.relay.names = *urls;
  }
  if (vm.count("metrics")) s.metrics = endpoint_option(vm, "metrics");
  if (vm.count("name") && !vm.count("key")) throw UsageError("--name goes with --key (the relay's name in the pool)");
  if (vm.count("key")) {
    if (s.relay.names.empty()) throw UsageError("--key needs --names URL (the pool of relays is in the name service)");
    s.key_file = vm["key"].as<std::string>();
    if (vm.count("name")) {
      s.pool_name = vm["name"].as<std::string>();
      if (!s.pool_name.starts_with(proxy::kPoolPrefix) || s.pool_name.size() == proxy::kPoolPrefix.size() ||
          !msocket::names::valid_name(s.pool_name))
        throw UsageError("--name wants mproxy.SOMETHING (letters, digits, '.', '-', '_'), got '" + s.pool_name + "'");
    }
  }
  s.relay.limits.max_reservations = count_option(vm, "max-reservations");
  s.relay.limits.max_flows = count_option(vm, "max-flows");
  s.relay.limits.handshakes_per_source = count_option(vm, "max-per-source");
  s.relay.limits.reservations_per_source = count_option(vm, "max-reservations-per-source");
  s.relay.limits.ttl = duration_option(vm, "ttl");
  // Renewals come every ttl/3, announced in whole seconds.
  if (s.relay.limits.ttl < std::chrono::seconds(3)) throw UsageError("--ttl must be at least 3s");
  s.relay.limits.splice.idle_timeout = duration_option(vm, "idle-timeout");
  if (vm.count("flow-limit")) s.relay.limits.splice.limit = flow_limit_option(vm);
  const auto buffer = parse_bytes(vm["buffer"].as<std::string>());
  if (!buffer || *buffer > (1ull << 30))
    throw UsageError("--buffer wants BYTES up to 1G (e.g. 512K, 4M, or 0 for the kernel's), got '" +
                     vm["buffer"].as<std::string>() + "'");
  s.relay.limits.splice.buffer_bytes = *buffer;
  s.drain_timeout = duration_option(vm, "drain-timeout");
  return s;
}

// mproxy.203-0-113-5-7400: the relay's control endpoint in name characters,
// its name in the pool unless --name says otherwise.
std::string default_pool_name(const tcp::endpoint& control) {
  auto name = std::string(proxy::kPoolPrefix) + control.address().to_string() + "-" + std::to_string(control.port());
  for (std::size_t i = proxy::kPoolPrefix.size(); i < name.size(); ++i)
    if (name[i] == '.' || name[i] == ':') name[i] = '-';
  return name;
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
  // Two descriptors per reservation (its control channel, its public port)
  // and two per flow (its halves), and a few of the relay's own.
  const auto& limits = s.relay.limits;
  const std::size_t needed = 2 * limits.max_reservations + 2 * limits.max_flows;
  const auto raised = msocket::raise_fd_limit(needed + 64);
  const auto open_files = raised ? *raised : msocket::fd_limits().soft;
  msocket::log::proxy()->info("open files: up to {} (RLIMIT_NOFILE)", open_files);
  // A warning only when the reservations alone do not fit: the default
  // flow limit is generous, and most hosts' hard limit falls short of it.
  if (open_files < needed)
    msocket::log::proxy()->log(open_files < 2 * limits.max_reservations + 64 ? spdlog::level::warn : spdlog::level::info,
                               "open files: up to {} (RLIMIT_NOFILE, hard limit {}), fewer than the {} that {} "
                               "reservations and {} flows need (2 each)",
                               open_files, msocket::fd_limits().hard, needed, limits.max_reservations, limits.max_flows);
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
  std::shared_ptr<proxy::PoolRegistration> pool;
  if (s.key_file) {
    auto key = msocket::names::load_key_file(*s.key_file);
    if (!key) {
      std::fprintf(stderr, "mproxy: cannot read the key file %s: %s\n", s.key_file->c_str(), key.error().message().c_str());
      return kExitRuntime;
    }
    // Servers dial the public address, on the control port.
    const tcp::endpoint control(s.relay.public_address, bound.port());
    auto text = control.address().is_v6() ? "[" + control.address().to_string() + "]" : control.address().to_string();
    const auto name = s.pool_name.empty() ? default_pool_name(control) : s.pool_name;
    pool = std::make_shared<proxy::PoolRegistration>(context.get_executor(), s.relay.names, *key, name,
                                                     text + ":" + std::to_string(control.port()),
                                                     std::chrono::duration_cast<std::chrono::seconds>(s.relay.limits.ttl),
                                                     [relay = *relay] { return relay->load(); });
    pool->start();
  }
  // The status line tests and scripts wait for.
  std::fprintf(stderr, "mproxy: listening on %s:%u\n", bound.address().to_string().c_str(), unsigned(bound.port()));
  asio::steady_timer poll(context);
  asio::signal_set signals(context, SIGINT, SIGTERM);
  // Closing everything ends the run: nothing is left for the io_context.
  // The pool's record goes first (a drain or a stop): no server picks
  // this relay any more. The run ends once the name service answered.
  auto stop = [&] {
    poll.cancel();
    signals.cancel();
    (*relay)->close();
    if (metrics) metrics->close();
    if (pool) pool->leave(nullptr);
  };
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int signal) {
    if (ec) return;
    if (signal == SIGTERM && !(*relay)->draining()) {
      if (pool) pool->leave(nullptr);
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
  // splice(2) into a socket its peer has reset raises SIGPIPE, and splice
  // takes no MSG_NOSIGNAL: a server half reset by a server that moved would
  // otherwise kill the relay with every flow on it.
  std::signal(SIGPIPE, SIG_IGN);
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
