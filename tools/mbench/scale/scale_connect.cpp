// mbench scale-connect (not in the usage): the client end of `mbench
// scale`, a process of its own so that its memory, CPU and descriptors are
// apart from the listener's. It opens --connections msocket connections
// (--concurrency at a time), sends each a message of its own, with --echo
// reads it back and compares, says "ready" on stderr and then holds them,
// idle, until SIGTERM or SIGINT. On SIGUSR1 (with --echo) every connection
// sends another message of its own and checks its echo, all at once (after
// a move of the listener, `mbench scale --server-move`), and says how many
// came back exact.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/command_line.hpp"
#include "core/coroutine.hpp"
#include "core/fd_limit.hpp"
#include "msocket/connect.hpp"
#include "names/names_load.hpp"
#include "scale/scale_peers.hpp"
#include "testbed/process_status.hpp"

namespace po = boost::program_options;
namespace asio = boost::asio;

namespace msocket::mbench {

namespace {

struct ConnectOptions {
  std::string address;
  std::string port;
  unsigned connections = 1000;
  unsigned concurrency = 16;
  std::size_t message_size = 100;
  bool echo = false;
  std::optional<std::string> source;
};

std::optional<ConnectOptions> parse_connect(const std::vector<std::string>& args) {
  po::options_description d("mbench scale-connect: hold idle msocket connections to one listener");
  d.add_options()("help", "this text")("to", po::value<std::string>()->required(), "ADDRESS:PORT of the listener")(
      "connections", po::value<unsigned>()->default_value(1000), "connections to open and hold")(
      "concurrency", po::value<unsigned>()->default_value(16), "handshakes at once")(
      "message-size", po::value<std::size_t>()->default_value(100), "bytes each connection sends")(
      "echo", "read each message back and compare")("source", po::value<std::string>(), "bind to this address");
  const auto parsed = parse_or_print_help(args, d, "usage: mbench scale-connect --to ADDRESS:PORT [options]\n", "");
  if (!parsed) return std::nullopt;  // --help
  const auto& vm = *parsed;
  ConnectOptions o;
  const auto to = vm["to"].as<std::string>();
  const auto colon = to.rfind(':');
  if (colon == std::string::npos) throw UsageError("--to wants ADDRESS:PORT, got '" + to + "'");
  o.address = to.substr(0, colon);
  o.port = to.substr(colon + 1);
  o.connections = vm["connections"].as<unsigned>();
  o.concurrency = std::max(1u, vm["concurrency"].as<unsigned>());
  o.message_size = std::max<std::size_t>(16, vm["message-size"].as<std::size_t>());
  o.echo = vm.count("echo") > 0;
  if (vm.count("source")) o.source = vm["source"].as<std::string>();
  return o;
}

// The message of connection `index`: its number, then a pattern that
// depends on it, so that bytes crossed between connections are caught.
// `round` 1 is the first message, 2 the one after the first SIGUSR1, ...
std::vector<char> message_of(unsigned index, std::size_t size, unsigned round = 1) {
  std::vector<char> text(size);
  const int n = std::snprintf(text.data(), size, "connection %08u round %u ", index, round);
  for (std::size_t i = static_cast<std::size_t>(n); i < size; ++i)
    text[i] = static_cast<char>('a' + (index * 7 + round * 3 + i) % 26);
  text.back() = '\n';
  return text;
}

struct Tally {
  unsigned connected = 0;
  unsigned exact = 0;
  unsigned refusals = 0;  // "not accepting now" answers, each tried again
};

// A listener whose application has not yet taken the connections it
// confirmed refuses new ones (its backlog, transport/listener.cpp): that is
// back-pressure, not failure, so the connection is tried again a little
// later, as a client of a busy server would.
constexpr int kMostRefusals = 50;
constexpr auto kAfterRefusal = std::chrono::milliseconds(100);

asio::awaitable<void> open_one(const ConnectOptions& o, const Options& options, unsigned index,
                               std::vector<msocket::stream>& held, Tally& tally) {
  const auto ex = co_await asio::this_coro::executor;
  auto [cec, s] = co_await msocket::async_connect(ex, o.address, o.port, options, use_tuple);
  for (int refused = 0; cec == errc::refused && refused < kMostRefusals; ++refused) {
    ++tally.refusals;
    asio::steady_timer pause(ex, kAfterRefusal);
    co_await pause.async_wait(use_tuple);
    std::tie(cec, s) = co_await msocket::async_connect(ex, o.address, o.port, options, use_tuple);
  }
  if (cec) throw std::runtime_error("connection " + std::to_string(index) + ": connect: " + cec.message());
  ++tally.connected;
  const auto message = message_of(index, o.message_size);
  auto [wec, written] = co_await asio::async_write(s, asio::buffer(message), use_tuple);
  if (wec) throw std::runtime_error("connection " + std::to_string(index) + ": write: " + wec.message());
  if (o.echo) {
    std::vector<char> back(message.size());
    auto [rec, n] = co_await asio::async_read(s, asio::buffer(back), use_tuple);
    if (rec) throw std::runtime_error("connection " + std::to_string(index) + ": echo: " + rec.message());
    if (back != message) throw std::runtime_error("connection " + std::to_string(index) + ": the echo differs");
    ++tally.exact;
  }
  held[index] = std::move(s);
}

asio::awaitable<void> open_all(const ConnectOptions& o, std::vector<msocket::stream>& held, Tally& tally) {
  Options options;
  if (o.source) options.source = asio::ip::make_address(*o.source);
  unsigned next = 0;
  auto worker = [&]() -> asio::awaitable<void> {
    while (next < o.connections) co_await open_one(o, options, next++, held, tally);
  };
  std::vector<asio::awaitable<void>> workers;
  for (unsigned i = 0; i < std::min(o.concurrency, o.connections); ++i) workers.push_back(worker());
  co_await join_all(std::move(workers));
}

// One more message on connection `index`; `exact` counts it if its echo is.
asio::awaitable<void> echo_again(msocket::stream& s, unsigned index, std::size_t size, unsigned round,
                                 unsigned& exact) {
  const auto message = message_of(index, size, round);
  auto [wec, written] = co_await asio::async_write(s, asio::buffer(message), use_tuple);
  if (wec) co_return;
  std::vector<char> back(message.size());
  auto [rec, n] = co_await asio::async_read(s, asio::buffer(back), use_tuple);
  if (!rec && back == message) ++exact;
}

// Every connection echoes once more, all at once; the exact echoes.
asio::awaitable<unsigned> echo_all_again(const ConnectOptions& o, std::vector<msocket::stream>& held, unsigned round) {
  unsigned exact = 0;
  std::vector<asio::awaitable<void>> echoes;
  for (unsigned i = 0; i < held.size(); ++i) echoes.push_back(echo_again(held[i], i, o.message_size, round, exact));
  co_await join_all(std::move(echoes));
  co_return exact;
}

// Opens them all, says so, then holds them until SIGTERM or SIGINT: the
// connections sit idle meanwhile, but for an echo round on each SIGUSR1.
// `status` is kExitOk once ready.
asio::awaitable<void> open_and_hold(const ConnectOptions& o, std::vector<msocket::stream>& held, Tally& tally,
                                    const testbed::ProcessMemory& before, int& status) {
  asio::signal_set signals(co_await asio::this_coro::executor, SIGTERM, SIGINT, SIGUSR1);
  try {
    co_await open_all(o, held, tally);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mbench scale-connect: %s (%u connected, %u echoed)\n", e.what(), tally.connected,
                 tally.exact);
    co_return;
  }
  std::fprintf(stderr,
               "mbench scale-connect: ready %u connections, %u exact echoes, vmrss_before_kib=%llu "
               "rssanon_before_kib=%llu refusals=%u\n",
               tally.connected, tally.exact, static_cast<unsigned long long>(before.resident_kib),
               static_cast<unsigned long long>(before.anonymous_kib), tally.refusals);
  status = kExitOk;
  for (unsigned round = 2;; ++round) {
    auto [ec, signal] = co_await signals.async_wait(use_tuple);
    if (ec || signal != SIGUSR1 || !o.echo) break;
    const auto exact = co_await echo_all_again(o, held, round);
    std::fprintf(stderr, "mbench scale-connect: round %u: %u exact echoes of %u connections\n", round, exact,
                 tally.connected);
  }
}

int run_connect(const ConnectOptions& o) {
  // A connection takes a TCP socket in this process; the rtnetlink socket
  // and the control socket are shared (scale_peers.hpp).
  const std::size_t wanted = std::size_t{o.connections} * kClientDescriptorsPerConnection + 64;
  if (!raise_fd_limit(wanted)) {
    std::fprintf(stderr, "mbench scale-connect: %u connections need %zu open files, above the hard limit %zu\n",
                 o.connections, wanted, fd_limits().hard);
    return kExitRuntime;
  }
  const auto before = testbed::read_process_memory(::getpid());
  asio::io_context context;
  std::vector<msocket::stream> held(o.connections);
  Tally tally;
  int status = kExitRuntime;
  asio::co_spawn(context, open_and_hold(o, held, tally, before, status),
                 [&context](std::exception_ptr) { context.stop(); });
  context.run();
  // Exit without closing them one by one: the listener is stopped as well.
  std::fflush(stderr);
  std::_Exit(status);
}

}  // namespace

int run_scale_connect_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_connect, run_connect);
}

}  // namespace msocket::mbench
