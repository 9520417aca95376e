// mnamed: the name service, daemon and client in one binary, with
// etcdctl-style subcommands. Each parses its options into plain values,
// checks them, and calls one entry point of lib/names (man/mnamed.8).
#include <cstdio>
#include <iostream>
#include <map>

#include <boost/json/value.hpp>

#include "command_line.hpp"
#include "core/log.hpp"
#include "names/key_file.hpp"
#include "relay/duration.hpp"

using namespace mnamed;

namespace {

constexpr const char* kUsage =
    "usage: mnamed serve --data-dir DIR [--listen ADDR:PORT] [--dns ADDR:PORT --zone ZONE] [limits]\n"
    "       mnamed keygen --out FILE\n"
    "       mnamed register --server URL --key FILE [--control ADDR:PORT] [--ttl TIME] NAME ADDR:PORT...\n"
    "       mnamed lookup --server URL [--known-names FILE | --no-pin] NAME\n"
    "       mnamed list --server URL [--limit N] PREFIX\n"
    "       mnamed watch --server URL [--after VERSION] NAME\n"
    "       mnamed delete --server URL --key FILE NAME\n"
    "Each subcommand takes --help. Exit status: 0 success, 1 runtime or network error, 2 usage error,\n"
    "3 a record signed by another key than the one pinned for its name.\n";

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
  if (in.options.count("version")) registration.version = in.options["version"].as<std::uint64_t>();
  if (in.options.count("version") && registration.version == 0) throw UsageError("--version must be at least 1");
  const auto server = server_option(in);
  const auto key = key_option(in);
  asio::io_context context;
  names::Client client(context.get_executor(), server, client_options(in));
  auto stored = run(context, client, names::publish(client, key, std::move(registration)));
  if (!stored) throw RuntimeError(name + ": " + stored.error().message());
  print_json(names::to_json(*stored));
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

const std::map<std::string, Command>& commands() {
  static const std::map<std::string, Command> table{
      {"serve", {"mnamed serve (--data-dir DIR | --store etcd=URL[,URL...]) [--listen ADDR:PORT] [--dns ADDR:PORT --zone ZONE] [limits]", serve, add_serve_options}},
      {"keygen",
       {"mnamed keygen --out FILE", keygen,
        [](po::options_description& d) {
          d.add_options()("out", po::value<std::string>(), "write a new secret key to FILE (mode 0600)");
        }}},
      {"register",
       {"mnamed register --server URL --key FILE [--control ADDR:PORT] [--ttl TIME] [--version N] NAME ADDR:PORT...",
        register_name,
        [](po::options_description& d) {
          add_client_options(d);
          d.add_options()("key", po::value<std::string>()->required(), "sign with the secret key in FILE")(
              "control", po::value<std::string>(), "the UDP control address to publish")(
              "ttl", po::value<std::string>()->default_value("1h"), "the record expires after TIME")(
              "version", po::value<std::uint64_t>(),
              "sign this version (default: above the stored one, from the clock in microseconds)");
        }}},
      {"lookup", {"mnamed lookup --server URL [--known-names FILE | --no-pin] NAME", lookup, add_lookup_options}},
      {"list", {"mnamed list --server URL [--limit N] PREFIX", list, add_list_options}},
      {"watch",
       {"mnamed watch --server URL [--after VERSION] NAME", watch,
        [](po::options_description& d) {
          add_client_options(d);
          d.add_options()("after", po::value<std::uint64_t>(), "print every version above VERSION (default: the current one)");
        }}},
      {"delete",
       {"mnamed delete --server URL --key FILE NAME", erase,
        [](po::options_description& d) {
          add_client_options(d);
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
  } catch (const KeyMismatchError& e) {
    std::fprintf(stderr, "mnamed %s: %s\n", first.c_str(), e.what());
    return kExitKeyMismatch;
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
