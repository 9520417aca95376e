// What mnamed's subcommands share: their parsed command line, the errors
// main() turns into exit codes, the options every client subcommand takes,
// and running one client operation to its end with SIGINT/SIGTERM handled.
#pragma once

#include <pthread.h>

#include <csignal>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/value.hpp>
#include <boost/program_options.hpp>

#include "names/client.hpp"
#include "names/dns_server.hpp"

namespace mnamed {

namespace po = boost::program_options;
namespace asio = boost::asio;
namespace names = msocket::names;

// Exit statuses (man/mnamed.8, EXIT STATUS).
constexpr int kExitOk = 0, kExitRuntime = 1, kExitUsage = 2, kExitKeyMismatch = 3;

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct RuntimeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
// A record signed by another key than the one pinned for its name.
struct KeyMismatchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One subcommand's parsed command line.
struct Invocation {
  po::variables_map options;
  std::vector<std::string> args;  // positional arguments
};

std::string text(const Invocation& in, const char* option);
// An ADDR:PORT option: a literal IPv4 address or a bracketed IPv6 one, and
// a port (0 allowed). Throws UsageError.
asio::ip::tcp::endpoint endpoint_option(const Invocation& in, const char* option);
// A whole number option, 0 to `most`. Throws UsageError.
std::size_t count_option(const Invocation& in, const char* option, std::size_t most = 1'000'000'000);
// --server (one URL or several, comma-separated: front ends of one store),
// else $MNAMED_SERVER. Throws UsageError.
std::vector<names::ServerUrl> server_option(const Invocation& in);
// --timeout. Throws UsageError.
names::ClientOptions client_options(const Invocation& in);
// The key file of --key. Throws RuntimeError.
names::SigningKey key_option(const Invocation& in);
// The NAME argument, with at most `count` arguments in all (0: any number).
std::string name_argument(const Invocation& in, std::size_t count);
// --server and --timeout, for every client subcommand's --help.
void add_client_options(po::options_description& description);
void print_json(const boost::json::value& value);

// After the first SIGINT or SIGTERM, the others are held back: the process
// is ending, and a second one (GNU timeout sends its signal both to the
// child and to the group) must not kill it half-way through. (This blocks
// them in the main thread; the only other threads, Asio's resolver's and
// the store's writer, never run handlers.)
void hold_further_signals();

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

// The subcommands of their own files, and their options.
int serve(const Invocation& in);
void add_serve_options(po::options_description& description);
// serve's DNS face (serve_dns.cpp): started if --dns is given, with its
// status line on stderr; nullptr otherwise. Throws UsageError, RuntimeError.
std::unique_ptr<names::DnsServer> start_dns(asio::io_context& context, names::Registry& registry,
                                            const Invocation& in);
// Its status line at exit: what it answered and dropped.
void print_dns_counts(const names::DnsCounts& counts);
void add_dns_options(po::options_description& description);
int lookup(const Invocation& in);
void add_lookup_options(po::options_description& description);
int list(const Invocation& in);
void add_list_options(po::options_description& description);

}  // namespace mnamed
