// mbench scale-listen (not in the usage): the library's own listener for
// `mbench scale`, an msocket::acceptor whose connections echo what they
// receive. Each takes what arrived where it lies (async_read_some_into) and
// keeps a copy only until it is written back, so an idle connection costs
// what the library costs, nothing of ours but its coroutine. Says
// "listening on ADDRESS:PORT" on stderr; runs until SIGTERM or SIGINT.
#include <csignal>
#include <cstdio>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/write.hpp>
#include <boost/program_options.hpp>

#include "commands.hpp"
#include "common/command_line.hpp"
#include "core/coroutine.hpp"
#include "core/fd_limit.hpp"
#include "msocket/acceptor.hpp"
#include "msocket/text.hpp"
#include "scale/scale_peers.hpp"

namespace po = boost::program_options;
namespace asio = boost::asio;

namespace msocket::mbench {

namespace {

struct ListenOptions {
  asio::ip::tcp::endpoint where;
};

std::optional<ListenOptions> parse_listen(const std::vector<std::string>& args) {
  po::options_description d("mbench scale-listen: an msocket acceptor that echoes");
  d.add_options()("help", "this text")("listen", po::value<std::string>()->required(), "ADDRESS:PORT (port 0: any)");
  const auto parsed = parse_or_print_help(args, d, "usage: mbench scale-listen --listen ADDRESS:PORT\n", "");
  if (!parsed) return std::nullopt;  // --help
  const auto& vm = *parsed;
  const auto text = vm["listen"].as<std::string>();
  const auto colon = text.rfind(':');
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(text.substr(0, colon == std::string::npos ? 0 : colon), ec);
  if (colon == std::string::npos || ec) throw UsageError("--listen wants ADDRESS:PORT, got '" + text + "'");
  return ListenOptions{{address, static_cast<unsigned short>(std::stoul(text.substr(colon + 1)))}};
}

asio::awaitable<void> echo(msocket::stream s) {
  std::vector<std::byte> pending;
  const auto take = [&pending](std::span<const std::byte> bytes) -> result<std::size_t> {
    pending.assign(bytes.begin(), bytes.end());
    return bytes.size();
  };
  for (;;) {
    auto [rec, n] = co_await s.async_read_some_into(take, use_tuple);
    if (rec) break;
    auto [wec, written] = co_await asio::async_write(s, asio::buffer(pending), use_tuple);
    if (wec) break;
    pending = {};  // nothing kept while idle
  }
  s.shutdown_write();
  co_await s.async_wait_closed(use_tuple);
}

asio::awaitable<void> accept_all(msocket::acceptor& acc) {
  const auto ex = co_await asio::this_coro::executor;
  for (;;) {
    auto [ec, s] = co_await acc.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors and the like: say so, and go on with the others.
      std::fprintf(stderr, "mbench scale-listen: accept: %s\n", ec.message().c_str());
      continue;
    }
    asio::co_spawn(ex, echo(std::move(s)), log_coroutine_exception);
  }
}

int run_listen(const ListenOptions& o) {
  // Every descriptor the hard limit allows: a connection takes one here.
  raise_fd_limit(fd_limits().hard);
  asio::io_context context;
  auto acc = acceptor::open(context.get_executor(), o.where);
  if (!acc) {
    std::fprintf(stderr, "mbench scale-listen: cannot listen on %s: %s\n", msocket::to_string(o.where).c_str(),
                 acc.error().message().c_str());
    return kExitRuntime;
  }
  std::fprintf(stderr, "mbench scale-listen: listening on %s\n", msocket::to_string(acc->local_endpoint()).c_str());
  asio::signal_set signals(context, SIGTERM, SIGINT);
  signals.async_wait([&](boost::system::error_code, int) { context.stop(); });
  asio::co_spawn(context, accept_all(*acc), log_coroutine_exception);
  context.run();
  std::fflush(stderr);
  std::_Exit(kExitOk);  // the connections are not closed one by one
}

}  // namespace

int run_scale_listen_command(const std::vector<std::string>& args, int verbosity) {
  return parse_and_run(args, verbosity, parse_listen, run_listen);
}

}  // namespace msocket::mbench
