// mcat: netcat whose connections survive the moves of either end.
// Parses options into relay::NetcatOptions, checks combinations, runs.
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <functional>
#include <iostream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>

#include "core/log.hpp"
#include "relay/duration.hpp"
#include "relay/netcat.hpp"
#include "session/identity.hpp"

namespace po = boost::program_options;
namespace relay = msocket::relay;

namespace {

constexpr const char* kUsage =
    "usage: mcat [options] HOST PORT          connect\n"
    "       mcat --names URL [options] NAME [PORT]\n"
    "                                         connect by name\n"
    "       mcat -l [options] [ADDR] PORT     listen (or -l -p PORT)\n"
    "       mcat -l --names URL --name NAME --key FILE [options] PORT\n"
    "                                         listen and register under NAME\n"
    "       mcat -l --names URL --name NAME --key FILE --proxy RELAY:PORT [options] PORT\n"
    "                                         listen behind NAT, reached through relays\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

msocket::Duration duration_option(const po::variables_map& vm, const char* name) {
  const auto text = vm[name].as<std::string>();
  auto d = relay::parse_duration(text);
  if (!d) throw UsageError("invalid time for --" + std::string(name) + ": '" + text + "' (use e.g. 500ms, 2s, 1m, 1h)");
  return *d;
}

relay::HostPort host_port_option(const po::variables_map& vm, const char* name) {
  const auto text = vm[name].as<std::string>();
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw UsageError("--" + std::string(name) + " wants HOST:PORT, got '" + text + "'");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  return {host, text.substr(colon + 1)};
}

// Mode and addresses: listen (-l [ADDR] PORT, -l -p PORT) or connect (HOST PORT).
void read_mode(const po::variables_map& vm, relay::NetcatOptions& o) {
  o.listen = vm.count("listen") > 0;
  o.keep_open = vm.count("keep-open") > 0;
  auto positional_args = vm.count("args") ? vm["args"].as<std::vector<std::string>>() : std::vector<std::string>{};
  if (o.listen) {
    if (vm.count("port")) {
      o.target.port = vm["port"].as<std::string>();
      if (positional_args.size() > 1) throw UsageError("too many arguments");
      if (positional_args.size() == 1) o.target.host = positional_args[0];
    } else if (positional_args.size() == 1) {
      o.target.port = positional_args[0];
    } else if (positional_args.size() == 2) {
      o.target = {positional_args[0], positional_args[1]};
    } else {
      throw UsageError("listen mode needs a port (-l PORT or -l -p PORT)");
    }
    if (vm.count("paths")) throw UsageError("--paths is for connecting (a listener takes what comes)");
    if (vm.count("source")) {
      const auto sources = vm["source"].as<std::vector<std::string>>();
      if (sources.size() > 1) throw UsageError("-l takes one -s address (several are for connecting)");
      o.target.host = sources.front();
    }
  } else {
    const bool by_name = !o.connection.name_service.empty();
    if (by_name && positional_args.size() == 1) positional_args.push_back("");  // port from the record
    if (positional_args.size() != 2)
      throw UsageError(by_name ? "connect mode needs NAME [PORT]" : "connect mode needs HOST and PORT");
    if (vm.count("port")) throw UsageError("-p is the listening port: use it with -l (the source address is -s)");
    o.target = {positional_args[0], positional_args[1]};
    if (vm.count("source")) {
      // The first is the first flowpath's; each further one gets a flowpath of its own.
      for (const auto& text : vm["source"].as<std::vector<std::string>>()) {
        boost::system::error_code ec;
        auto a = boost::asio::ip::make_address(text, ec);
        if (ec) throw UsageError("--source wants an IP address, got '" + text + "'");
        if (!o.connection.source)
          o.connection.source = a;
        else if (!o.connection.extra_sources.push_back(a))
          throw UsageError("too many -s addresses (at most " + std::to_string(msocket::kMaxSources + 1) + ")");
      }
    }
    if (vm.count("paths")) {
      const auto which = vm["paths"].as<std::string>();
      if (which != "all") throw UsageError("--paths takes 'all', got '" + which + "'");
      o.connection.all_paths = true;
    }
    if (vm.count("prefer")) {
      const auto iface = vm["prefer"].as<std::string>();
      if (iface.empty() || !o.connection.prefer_interface.assign(iface))
        throw UsageError("--prefer wants an interface name (1 to 15 characters), got '" + iface + "'");
    }
  }
  if (o.listen && vm.count("prefer")) throw UsageError("--prefer is for connecting (the client marks its flowpaths)");
  if (vm.count("scheduler")) {
    const auto name = vm["scheduler"].as<std::string>();
    const auto policy = msocket::parse_scheduler_policy(name);
    if (!policy) throw UsageError("--scheduler takes default, rr, redundant, backup or prefer, got '" + name + "'");
    o.connection.session.scheduler = *policy;
  }
}

// The name service: --names, else MSOCKET_NAMES; --name and --key with -l.
void read_names(const po::variables_map& vm, relay::NetcatOptions& o) {
  std::string url;
  if (vm.count("names"))
    url = vm["names"].as<std::string>();
  else if (const char* env = std::getenv("MSOCKET_NAMES"); env && *env)
    url = env;
  if (!o.connection.name_service.assign(url)) throw UsageError("--names: URL too long (256 characters at most)");
  if (vm.count("name")) o.register_name = vm["name"].as<std::string>();
  if (vm.count("key")) o.key_file = vm["key"].as<std::string>();
  if (vm.count("proxy")) o.proxies = vm["proxy"].as<std::vector<std::string>>();
  // --proxy auto[=K]: K relays (2 unless said) from the pool in the name service.
  if (o.proxies.size() == 1 && o.proxies.front().starts_with("auto")) {
    const auto text = o.proxies.front();
    const auto count = text == "auto" ? std::string("2") : text.starts_with("auto=") ? text.substr(5) : std::string();
    if (count.empty() || count.size() > 2 || count.find_first_not_of("0123456789") != std::string::npos ||
        std::stoi(count) < 1 || std::stoi(count) > 8)
      throw UsageError("--proxy auto wants a count from 1 to 8 (auto=K), got '" + text + "'");
    if (vm.count("relays")) throw UsageError("--relays goes with --proxy HOST:PORT; with the pool, say --proxy auto=K");
    o.proxy_pool = true;
    o.proxy_count = static_cast<std::size_t>(std::stoi(count));
    o.proxies.clear();
  }
  if (vm.count("relays")) {
    const auto count = vm["relays"].as<int>();
    if (count < 1) throw UsageError("--relays wants a count of 1 or more, got " + std::to_string(count));
    if (static_cast<std::size_t>(count) > o.proxies.size())
      throw UsageError("--relays " + std::to_string(count) + " needs as many --proxy relays, got " +
                       std::to_string(o.proxies.size()));
    o.proxy_count = static_cast<std::size_t>(count);
  }
  if (vm.count("peer-key")) {
    const auto text = vm["peer-key"].as<std::string>();
    msocket::wire::IdentityKey key{};
    if (!msocket::session::identity_from_text(text, key))
      throw UsageError("--peer-key wants a key in base64 (as mnamed lookup shows it), got '" + text + "'");
    o.connection.peer_key = key;
  }
  o.connection.encrypt = vm.count("no-encrypt") == 0;
  if (vm.count("known-names") && !o.connection.known_names.assign(vm["known-names"].as<std::string>()))
    throw UsageError("--known-names: path too long (512 characters at most)");
  if (vm.count("retry-interval")) o.connection.retry_max = duration_option(vm, "retry-interval");
  if (o.connection.retry_max < o.connection.retry_min) o.connection.retry_min = o.connection.retry_max;
  o.connection.follow_peer_name = vm.count("no-watch") == 0;
}

// -4 / -6, and an address literal of the other family named with them.
void read_family(const po::variables_map& vm, relay::NetcatOptions& o) {
  const bool v4 = vm.count("ipv4") > 0, v6 = vm.count("ipv6") > 0;
  if (v4 && v6) throw UsageError("-4 and -6 exclude each other");
  if (!v4 && !v6) return;
  o.family = v4 ? relay::Family::v4 : relay::Family::v6;
  const char* option = v4 ? "-4" : "-6";
  if (!o.connection.name_service.empty() && !o.listen)
    throw UsageError(std::string(option) + " does not go with --names (the name's record gives the addresses)");
  std::vector<std::string> addresses{o.target.host};
  if (o.connection.source) addresses.push_back(o.connection.source->to_string());
  for (const auto& text : addresses) {
    boost::system::error_code ec;
    const auto a = boost::asio::ip::make_address(text, ec);
    if (!ec && a.is_v4() != v4) throw UsageError(std::string(option) + " does not go with the address " + text);
  }
}

// Everything else that maps one option to one setting.
void read_settings(const po::variables_map& vm, relay::NetcatOptions& o) {
  if (vm.count("exec")) o.exec = vm["exec"].as<std::string>();
  if (vm.count("sh-exec")) o.sh_exec = vm["sh-exec"].as<std::string>();
  if (vm.count("forward")) o.forward = host_port_option(vm, "forward");
  if (vm.count("local")) o.local = host_port_option(vm, "local");
  if (vm.count("stats")) o.stats_file = vm["stats"].as<std::string>();
  if (vm.count("wait")) {
    // Bounds the whole set-up of a flowpath: TCP connect, then the msocket
    // handshake (a TCP server that accepts and stays silent must not take 10 s).
    o.connection.connect_timeout = duration_option(vm, "wait");
    o.connection.handshake_timeout = o.connection.connect_timeout;
    o.connection.connect_deadline = o.connection.connect_timeout;  // by name: retry until then
  }
  if (vm.count("idle-timeout")) o.splice.idle_timeout = duration_option(vm, "idle-timeout");
  if (vm.count("quit")) o.splice.quit_after_eof = duration_option(vm, "quit");
  o.connection.session.linger = duration_option(vm, "linger");
  o.splice.half_close = vm.count("no-shutdown") == 0;
  o.splice.receive = vm.count("send-only") == 0;
  o.splice.send = vm.count("recv-only") == 0;

}

// Combinations that cannot work, each named.
void check_combinations(const relay::NetcatOptions& o) {
  const int sources = (o.exec ? 1 : 0) + (o.sh_exec ? 1 : 0) + (o.forward ? 1 : 0);
  if (sources > 1) throw UsageError("-e, -c and --forward exclude each other");
  if (o.forward && !o.listen) throw UsageError("--forward goes with -l");
  if (o.local && o.listen) throw UsageError("--local is for connect mode (no -l)");
  if (o.local && (o.exec || o.sh_exec)) throw UsageError("--local excludes -e and -c");
  if (!o.splice.send && !o.splice.receive) throw UsageError("--send-only and --recv-only exclude each other");
  if (o.register_name && !o.listen) throw UsageError("--name goes with -l (to connect by name, give it as HOST)");
  if (o.register_name && !o.key_file) throw UsageError("--name needs --key FILE (make one with mnamed keygen)");
  if (o.key_file && !o.listen) throw UsageError("--key goes with -l (the listener proves it owns the key)");
  if (o.connection.peer_key && o.listen) throw UsageError("--peer-key is for connecting (the server's key to expect)");
  if ((!o.proxies.empty() || o.proxy_pool) && !o.register_name)
    throw UsageError("--proxy needs --name and --key (a relay reserves a name for its owner)");
  for (const auto& relay : o.proxies) {
    if (relay.starts_with("auto")) throw UsageError("--proxy auto is given alone (the pool's relays, or yours)");
    if (relay.rfind(':') == std::string::npos || relay.back() == ':')
      throw UsageError("--proxy wants HOST:PORT or auto[=K], got '" + relay + "'");
  }
  if (o.register_name && o.connection.name_service.empty())
    throw UsageError("--name needs a name service: --names URL or MSOCKET_NAMES");
}

// Returns the options, or exits for --help / --version.
relay::NetcatOptions parse(int argc, char** argv, int& verbosity) {
  po::options_description visible("Options");
  visible.add_options()
      ("help,h", "show this help and exit")
      ("version", "show the version and exit")
      ("listen,l", "listen for connections")
      ("keep-open,k", "with -l: accept many connections; connecting: go on after the peer's end of file")
      ("ipv4,4", "IPv4 only")
      ("ipv6,6", "IPv6 only (a listener with no address takes both by default)")
      ("port,p", po::value<std::string>(), "with -l: port to listen on")
      ("source,s", po::value<std::vector<std::string>>(), "local address: bind the first flowpath (connect) or listen (with -l) there; again: one more flowpath from each")
      ("paths", po::value<std::string>(), "'all': a flowpath from every usable local address, following them as they come and go")
      ("scheduler", po::value<std::string>(), "which flowpath sends what we send: default, rr, redundant, backup or prefer")
      ("prefer", po::value<std::string>(), "flowpaths from other interfaces than IFACE are backups (both ends keep them idle while IFACE works)")
      ("exec,e", po::value<std::string>(), "run CMD (no shell) with its stdin/stdout as the connection")
      ("sh-exec,c", po::value<std::string>(), "run CMD with /bin/sh -c, as -e")
      ("wait,w", po::value<std::string>(), "connect and handshake timeout (e.g. 5s)")
      ("idle-timeout,i", po::value<std::string>(), "quit when no byte moved for TIME")
      ("quit,q", po::value<std::string>(), "quit TIME after end of standard input")
      ("no-shutdown", "do not half-close at end of standard input")
      ("send-only", "only send; discard what arrives")
      ("recv-only", "only receive; send nothing")
      ("linger", po::value<std::string>()->default_value("24h"), "keep a connection with no path this long")
      ("forward", po::value<std::string>(), "with -l: splice each connection to plain TCP HOST:PORT")
      ("local", po::value<std::string>(), "accept plain TCP on ADDR:PORT; carry each over its own connection to HOST PORT")
      ("stats", po::value<std::string>(), "write JSON statistics to FILE on exit")
      ("names", po::value<std::string>(), "name service URL (http://HOST:PORT; default $MSOCKET_NAMES): connect to names")
      ("name", po::value<std::string>(), "with -l: register the listener under NAME, and again when addresses change")
      ("key", po::value<std::string>(), "with -l: the name's key file (mnamed keygen); signs every handshake, and --name's record")
      ("proxy", po::value<std::vector<std::string>>(), "with -l --name: be reached through the relay (mproxy) at HOST:PORT; again for more relays, each carrying flowpaths; or auto[=K]: the K (2) nearest of the pool in the name service")
      ("relays", po::value<int>(), "with --proxy: use N of the relays at once, the nearest by connect time; one lost is replaced by another")
      ("peer-key", po::value<std::string>(), "the server must prove this key (base64, as mnamed lookup shows it), by name or by address")
      ("no-encrypt", "send in the clear; the other end must say --no-encrypt too")
      ("known-names", po::value<std::string>(), "connecting by name: the file of pinned owner keys (default ~/.config/msocket/known_names)")
      ("retry-interval", po::value<std::string>(), "longest pause between attempts to reach a moved peer (default 2s)")
      ("no-watch", "connected by name: do not follow the name's changes (only retry)")
      ("verbose,v", po::value<int>()->zero_tokens()->default_value(0)->composing(), "more log output on stderr (-vv for more)");
  po::options_description hidden;
  hidden.add_options()("args", po::value<std::vector<std::string>>(), "HOST PORT");
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("args", -1);

  // -v and -vv: count them before Program_options (which has no counting flag).
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() >= 2 && a[0] == '-' && a[1] == 'v' && a.find_first_not_of('v', 1) == std::string::npos) {
      verbosity += static_cast<int>(a.size() - 1);
      continue;
    }
    if (a == "--verbose") { ++verbosity; continue; }
    args.push_back(a);
  }
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);

  if (vm.count("help")) {
    std::cout << kUsage << "\n" << visible << "\nExit status: 0 success, 1 network or other runtime error, 2 usage error,\n"
                 "3 the server's key is not the one expected (--peer-key, or the name's pinned key);\n"
                 "with --proxy, when no relay holds the name, the first relay's refusal: 4 full, 5 limits\n"
                 "this address, 6 shutting down.\n";
    std::exit(0);
  }
  if (vm.count("version")) {
    std::cout << "mcat (msocket) " MSOCKET_VERSION "\n";
    std::exit(0);
  }

  relay::NetcatOptions o;
  read_names(vm, o);
  read_mode(vm, o);
  read_family(vm, o);
  read_settings(vm, o);
  check_combinations(o);
  return o;
}

// SIGINT, SIGTERM: close every connection in order, then exit; a second
// signal, or a close that takes longer than kGiveUp, stops at once.
constexpr auto kCloseGrace = std::chrono::seconds(1);
constexpr auto kGiveUp = std::chrono::seconds(3);

int run(const relay::NetcatOptions& options) {
  boost::asio::io_context context;
  boost::asio::signal_set signals(context, SIGINT, SIGTERM);
  boost::asio::steady_timer give_up(context);
  int status = relay::kExitNetwork;
  std::function<void(boost::system::error_code, int)> on_signal = [&](boost::system::error_code ec, int) {
    if (ec) return;
    if (relay::stopping()) {
      context.stop();
      return;
    }
    relay::close_all(kCloseGrace);
    give_up.expires_after(kGiveUp);
    give_up.async_wait([&](boost::system::error_code wec) {
      if (!wec) context.stop();
    });
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  // SIGUSR1: the user (or a script) asks for a migration now.
  boost::asio::signal_set migrate_signal(context, SIGUSR1);
  std::function<void(boost::system::error_code, int)> on_migrate = [&](boost::system::error_code ec, int) {
    if (ec) return;
    relay::migrate_all();
    migrate_signal.async_wait(on_migrate);
  };
  migrate_signal.async_wait(on_migrate);
  boost::asio::co_spawn(context, relay::run_netcat(options), [&](std::exception_ptr e, int s) {
    if (e) std::rethrow_exception(e);
    status = s;
    signals.cancel();
    migrate_signal.cancel();
    give_up.cancel();
    context.stop();
  });
  context.run();
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  int verbosity = 0;
  relay::NetcatOptions options;
  try {
    options = parse(argc, argv, verbosity);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "mcat: %s\n%s", e.what(), kUsage);
    return relay::kExitUsage;
  } catch (const po::error& e) {
    std::fprintf(stderr, "mcat: %s\n%s", e.what(), kUsage);
    return relay::kExitUsage;
  }
  msocket::log::send_logs_to_stderr(verbosity);
  try {
    return run(options);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mcat: %s\n", e.what());
    return relay::kExitNetwork;  // a runtime failure (2 is for usage errors)
  }
}
