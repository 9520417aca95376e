// mnamed: the name service, daemon and client in one binary, with
// etcdctl-style subcommands. Each parses its options into plain values,
// checks them, and calls one entry point of lib/names (man/mnamed.8).
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>

#include "core/log.hpp"
#include "names/client.hpp"
#include "names/key_file.hpp"
#include "names/server.hpp"
#include "names/store.hpp"
#include "relay/duration.hpp"

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace names = msocket::names;

namespace {

constexpr int kExitOk = 0, kExitRuntime = 1, kExitUsage = 2;

constexpr const char* kUsage =
    "usage: mnamed serve --data-dir DIR [--listen ADDR:PORT]\n"
    "       mnamed keygen --out FILE\n"
    "       mnamed register --server URL --key FILE [--control ADDR:PORT] [--ttl TIME] NAME ADDR:PORT...\n"
    "       mnamed lookup --server URL NAME\n"
    "       mnamed watch --server URL [--after VERSION] NAME\n"
    "       mnamed delete --server URL --key FILE NAME\n"
    "Each subcommand takes --help. Exit status: 0 success, 1 runtime or network error, 2 usage error.\n";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One subcommand's parsed command line.
struct Invocation {
  po::variables_map options;
  std::vector<std::string> args;  // positional arguments
};

// After the first SIGINT or SIGTERM, the others are held back: the process
// is ending, and a second one (GNU timeout sends its signal both to the
// child and to the group) must not kill it half-way through. (This blocks
// them in the main thread; the only other thread, Asio's resolver's, exists
// only for a server given by host name.)
void hold_further_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

// Runs `task` on `context` to its end and returns its value. SIGINT and
// SIGTERM cancel the client's requests, which ends the task; `interrupted`
// then tells why it ended.
template <class T>
T run(asio::io_context& context, names::Client& client, asio::awaitable<T> task, bool* interrupted = nullptr) {
  std::optional<T> value;
  std::exception_ptr error;
  std::optional<asio::signal_set> signals(std::in_place, context, SIGINT, SIGTERM);
  signals->async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    hold_further_signals();
    if (interrupted) *interrupted = true;
    client.cancel();
  });
  asio::co_spawn(context, std::move(task), [&](std::exception_ptr e, T v) {
    error = e;
    if (!e) value = std::move(v);
    signals->cancel();
  });
  context.run();
  // The task is over: INT and TERM find nothing more to interrupt. (The
  // signal_set goes first: it puts back the default action as it goes.)
  signals.reset();
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGTERM, SIG_IGN);
  if (error) std::rethrow_exception(error);
  return std::move(*value);
}

std::string text(const Invocation& in, const char* option) { return in.options[option].as<std::string>(); }

names::ServerUrl server_option(const Invocation& in) {
  std::string url;
  if (in.options.count("server")) url = text(in, "server");
  else if (const char* env = std::getenv("MNAMED_SERVER")) url = env;
  else throw UsageError("--server URL is required (or MNAMED_SERVER in the environment)");
  auto server = names::parse_server_url(url);
  if (!server) throw UsageError("--server wants http://HOST:PORT, got '" + url + "'");
  return *server;
}

names::ClientOptions client_options(const Invocation& in) {
  names::ClientOptions options;
  auto timeout = msocket::relay::parse_duration(text(in, "timeout"));
  if (!timeout || *timeout <= msocket::Duration::zero())
    throw UsageError("invalid time for --timeout: '" + text(in, "timeout") + "' (use e.g. 500ms, 2s, 1m)");
  options.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(*timeout);
  options.connect_timeout = std::min(options.connect_timeout, options.request_timeout);
  return options;
}

names::SigningKey key_option(const Invocation& in) {
  auto key = names::load_key_file(text(in, "key"));
  if (!key) throw RuntimeError("key file " + text(in, "key") + ": " + key.error().message());
  return *key;
}

std::string name_argument(const Invocation& in, std::size_t count) {
  if (in.args.empty()) throw UsageError("a NAME is required");
  if (count && in.args.size() > count) throw UsageError("too many arguments: '" + in.args[count] + "'");
  if (!names::valid_name(in.args[0]))
    throw UsageError("invalid name '" + in.args[0] + "' (1 to 253 letters, digits, '.', '-' or '_')");
  return in.args[0];
}

// --listen: a literal IPv4 address or a bracketed IPv6 one, and a port.
asio::ip::tcp::endpoint listen_option(const Invocation& in) {
  const auto value = text(in, "listen");
  const auto colon = value.rfind(':');
  std::string host = colon == std::string::npos ? "" : value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  const auto port_text = colon == std::string::npos ? "" : value.substr(colon + 1);
  const bool port_ok = !port_text.empty() && port_text.size() <= 5 &&
                       port_text.find_first_not_of("0123456789") == std::string::npos && std::stoi(port_text) <= 65535;
  if (ec || !port_ok) throw UsageError("--listen wants ADDR:PORT, got '" + value + "'");
  return {address, static_cast<unsigned short>(std::stoi(port_text))};
}

void print_json(const boost::json::value& value) { std::cout << boost::json::serialize(value) << std::endl; }

int serve(const Invocation& in) {
  if (!in.args.empty()) throw UsageError("unexpected argument '" + in.args[0] + "'");
  if (!in.options.count("data-dir")) throw UsageError("--data-dir DIR is required");
  names::ServerOptions options;
  options.listen = listen_option(in);
  const auto dir = text(in, "data-dir");
  auto store = names::LogStore::open(dir);
  if (!store) throw RuntimeError("data directory " + dir + ": " + store.error().message());
  names::Registry registry(**store);
  asio::io_context context;
  auto server = names::Server::start(context.get_executor(), registry, options);
  if (!server) throw RuntimeError("cannot listen on " + text(in, "listen") + ": " + server.error().message());
  const auto bound = (*server)->local_endpoint();
  // The status line tests and scripts wait for (STYLE.md, "Logging").
  std::fprintf(stderr, "mnamed: listening on %s:%u\n", bound.address().to_string().c_str(), unsigned(bound.port()));
  msocket::log::names()->info("{} names in {}", (*store)->size(), dir);
  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (ec) return;
    hold_further_signals();
    (*server)->stop();
  });
  context.run();
  return kExitOk;
}

int keygen(const Invocation& in) {
  if (!in.args.empty()) throw UsageError("unexpected argument '" + in.args[0] + "'");
  if (!in.options.count("out")) throw UsageError("--out FILE is required");
  const auto key = names::generate_signing_key();
  if (auto ec = names::save_key_file(text(in, "out"), key)) {
    if (ec == boost::system::errc::file_exists) throw RuntimeError(text(in, "out") + " exists; not replacing a key");
    throw RuntimeError("cannot write " + text(in, "out") + ": " + ec.message());
  }
  std::cout << names::to_base64(key.public_key) << std::endl;  // the public key, for the record
  return kExitOk;
}

int register_name(const Invocation& in) {
  const auto name = name_argument(in, 0);
  names::Registration registration{name, {in.args.begin() + 1, in.args.end()}, {}, {}};
  if (registration.addresses.empty()) throw UsageError("at least one ADDR:PORT is required after the name");
  if (registration.addresses.size() > names::kMaxAddresses) throw UsageError("at most 16 addresses");
  for (const auto& a : registration.addresses)
    if (!names::valid_address(a)) throw UsageError("not an IP:PORT address: '" + a + "'");
  if (in.options.count("control")) registration.control = text(in, "control");
  if (!registration.control.empty() && !names::valid_address(registration.control))
    throw UsageError("--control wants IP:PORT, got '" + registration.control + "'");
  const auto ttl = msocket::relay::parse_duration(text(in, "ttl"));
  if (!ttl || *ttl < std::chrono::seconds(1))
    throw UsageError("invalid time for --ttl: '" + text(in, "ttl") + "' (use e.g. 90s, 30m, 1h; at least 1s)");
  registration.ttl = std::chrono::duration_cast<std::chrono::seconds>(*ttl);
  const auto server = server_option(in);
  const auto key = key_option(in);
  asio::io_context context;
  names::Client client(context.get_executor(), server, client_options(in));
  auto stored = run(context, client, names::publish(client, key, std::move(registration)));
  if (!stored) throw RuntimeError(name + ": " + stored.error().message());
  print_json(names::to_json(*stored));
  return kExitOk;
}

int lookup(const Invocation& in) {
  const auto name = name_argument(in, 1);
  asio::io_context context;
  names::Client client(context.get_executor(), server_option(in), client_options(in));
  auto record = run(context, client, client.lookup(name));
  if (!record) throw RuntimeError(name + ": " + record.error().message());
  print_json(names::to_json(*record));
  return kExitOk;
}

int erase(const Invocation& in) {
  const auto name = name_argument(in, 1);
  const auto server = server_option(in);
  const auto key = key_option(in);
  asio::io_context context;
  names::Client client(context.get_executor(), server, client_options(in));
  const auto ec = run(context, client, names::unpublish(client, key, name));
  if (ec) throw RuntimeError(name + ": " + ec.message());
  return kExitOk;
}

// Without --after, starts from the version stored now: prints changes only.
asio::awaitable<boost::system::error_code> watch_name(names::Client& client, std::string name,
                                                       std::optional<std::uint64_t> after) {
  if (!after) {
    auto current = co_await client.lookup(name);
    if (!current && current.error() != names::name_error::not_found) co_return current.error();
    after = current ? current->version : 0;
  }
  msocket::log::names()->info("watching {} after version {}", name, *after);
  // A named std::function, not a temporary: g++ 12 destroys temporaries of
  // a co_await expression twice if the coroutine is destroyed suspended.
  std::function<void(const names::WatchEvent&)> print = [name](const names::WatchEvent& event) {
    if (event.record) print_json(names::to_json(*event.record));
    else print_json(boost::json::object{{"name", name}, {"deleted", true}});
  };
  co_return co_await names::follow(client, name, *after, print);
}

int watch(const Invocation& in) {
  const auto name = name_argument(in, 1);
  std::optional<std::uint64_t> after;
  if (in.options.count("after")) after = in.options["after"].as<std::uint64_t>();
  asio::io_context context;
  names::Client client(context.get_executor(), server_option(in), client_options(in));
  bool interrupted = false;
  const auto ec = run(context, client, watch_name(client, name, after), &interrupted);
  if (interrupted) return kExitOk;  // the normal way to end a watch
  throw RuntimeError(name + ": " + ec.message());
}

struct Command {
  const char* synopsis;
  int (*run)(const Invocation&);
  void (*add_options)(po::options_description&);
};

void client_options_of(po::options_description& d) {
  d.add_options()("server", po::value<std::string>(), "the name server, http://HOST:PORT (default: $MNAMED_SERVER)")(
      "timeout", po::value<std::string>()->default_value("10s"), "give up on a request after TIME");
}

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table{
      {"serve",
       {"mnamed serve --data-dir DIR [--listen ADDR:PORT]", serve,
        [](po::options_description& d) {
          d.add_options()("data-dir", po::value<std::string>(), "keep the records in DIR (log and snapshot)")(
              "listen", po::value<std::string>()->default_value("127.0.0.1:7353"), "serve HTTP on ADDR:PORT");
        }}},
      {"keygen",
       {"mnamed keygen --out FILE", keygen,
        [](po::options_description& d) {
          d.add_options()("out", po::value<std::string>(), "write a new secret key to FILE (mode 0600)");
        }}},
      {"register",
       {"mnamed register --server URL --key FILE [--control ADDR:PORT] [--ttl TIME] NAME ADDR:PORT...",
        register_name,
        [](po::options_description& d) {
          client_options_of(d);
          d.add_options()("key", po::value<std::string>()->required(), "sign with the secret key in FILE")(
              "control", po::value<std::string>(), "the UDP control address to publish")(
              "ttl", po::value<std::string>()->default_value("1h"), "the record expires after TIME");
        }}},
      {"lookup", {"mnamed lookup --server URL NAME", lookup, client_options_of}},
      {"watch",
       {"mnamed watch --server URL [--after VERSION] NAME", watch,
        [](po::options_description& d) {
          client_options_of(d);
          d.add_options()("after", po::value<std::uint64_t>(), "print every version above VERSION (default: the current one)");
        }}},
      {"delete",
       {"mnamed delete --server URL --key FILE NAME", erase,
        [](po::options_description& d) {
          client_options_of(d);
          d.add_options()("key", po::value<std::string>()->required(), "sign the deletion with the key in FILE");
        }}},
  };
  return table;
}

// Parses a subcommand's arguments; prints its help and returns nullopt for --help.
std::optional<Invocation> parse(const Command& command, const std::vector<std::string>& argv, int& verbosity) {
  po::options_description visible("Options");
  visible.add_options()("help,h", "show this help and exit")("verbose,v", "more log output on stderr (-vv for more)");
  command.add_options(visible);
  po::options_description all;
  all.add(visible).add_options()("args", po::value<std::vector<std::string>>(), "arguments");
  po::positional_options_description positional;
  positional.add("args", -1);
  // -v, -vv, --verbose: counted here, as Program_options has no counting flag.
  std::vector<std::string> args;
  for (const auto& a : argv) {
    if (a == "--verbose" || (a.size() >= 2 && a[0] == '-' && a.find_first_not_of('v', 1) == std::string::npos))
      verbosity += a == "--verbose" ? 1 : static_cast<int>(a.size() - 1);
    else
      args.push_back(a);
  }
  Invocation in;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), in.options);
  if (in.options.count("help")) {
    std::cout << "usage: " << command.synopsis << "\n\n" << visible;
    return std::nullopt;
  }
  po::notify(in.options);
  if (in.options.count("args")) in.args = in.options["args"].as<std::vector<std::string>>();
  return in;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);
  const std::string first = argc > 1 ? argv[1] : "";
  if (first == "--help" || first == "-h" || first == "help") {
    std::cout << kUsage;
    return kExitOk;
  }
  if (first == "--version") {
    std::cout << "mnamed (msocket) " MSOCKET_VERSION "\n";
    return kExitOk;
  }
  const auto found = commands().find(first);
  if (found == commands().end()) {
    std::fprintf(stderr, "mnamed: %s\n%s",
                 first.empty() ? "a subcommand is required" : ("unknown subcommand '" + first + "'").c_str(), kUsage);
    return kExitUsage;
  }
  const auto& command = found->second;
  int verbosity = 0;
  std::optional<Invocation> invocation;
  try {
    invocation = parse(command, {argv + 2, argv + argc}, verbosity);
    if (!invocation) return kExitOk;
    msocket::log::send_logs_to_stderr(verbosity);
    return command.run(*invocation);
  } catch (const UsageError& e) {
    std::fprintf(stderr, "mnamed %s: %s\nusage: %s\n", first.c_str(), e.what(), command.synopsis);
    return kExitUsage;
  } catch (const po::error& e) {
    std::fprintf(stderr, "mnamed %s: %s\nusage: %s\n", first.c_str(), e.what(), command.synopsis);
    return kExitUsage;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mnamed %s: %s\n", first.c_str(), e.what());
    return kExitRuntime;
  }
}
