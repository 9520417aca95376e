#include "relay/netcat.hpp"

#include <unistd.h>

#include <boost/algorithm/string/split.hpp>
#include <boost/algorithm/string/classification.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/log.hpp"
#include "msocket/acceptor.hpp"
#include "msocket/connect.hpp"
#include "msocket/registration.hpp"
#include "msocket/text.hpp"

namespace msocket::relay {
namespace {

using error_code = boost::system::error_code;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Connections this process opened (not accepted) and is splicing, for
// migrate_all().
std::vector<msocket::stream*>& opened_streams() {
  static std::vector<msocket::stream*> list;
  return list;
}

// Lists a stream in opened_streams() for as long as it is in use.
class OpenedStream {
 public:
  explicit OpenedStream(msocket::stream& s) : stream_(&s) { opened_streams().push_back(stream_); }
  ~OpenedStream() { std::erase(opened_streams(), stream_); }
  OpenedStream(const OpenedStream&) = delete;
  OpenedStream& operator=(const OpenedStream&) = delete;

 private:
  msocket::stream* stream_;
};

void say(const std::string& message) { std::fprintf(stderr, "mcat: %s\n", message.c_str()); }

// Statistics of every connection so far, rewritten after each one ends (a
// keep-open listener may never exit).
struct StatsLog {
  std::optional<std::string> path;
  std::vector<Stats> all;
  void add(const Stats& s) {
    all.push_back(s);
    if (path && !write_stats_json(*path, all)) say("cannot write statistics to " + *path);
  }
};

std::vector<std::string> child_environment(const msocket::stream& s) {
  std::vector<std::string> env{"MCAT_PROTO=msocket"};
  if (auto r = s.remote_endpoint()) {
    env.push_back("MCAT_REMOTE_ADDR=" + r->address().to_string());
    env.push_back("MCAT_REMOTE_PORT=" + std::to_string(r->port()));
  }
  if (auto l = s.local_endpoint()) {
    env.push_back("MCAT_LOCAL_ADDR=" + l->address().to_string());
    env.push_back("MCAT_LOCAL_PORT=" + std::to_string(l->port()));
  }
  return env;
}

// Standard output shared by the connections of a keep-open listener: each
// write goes out whole, and one connection's EOF does not close it.
class SharedStdout final : public LocalEnd {
 public:
  asio::awaitable<result<std::size_t>> read(std::span<std::byte>) override { co_return std::size_t{0}; }
  asio::awaitable<error_code> write_all(std::span<const std::byte> bytes) override {
    while (!bytes.empty()) {
      const auto n = ::write(1, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) co_return error_code(errno, boost::system::system_category());
      bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    co_return error_code{};
  }
  void shutdown_write() override {}
  void close() override {}
};

// The local end for one accepted or opened connection. Errors: spawning the
// child, or connecting to the --forward service.
asio::awaitable<result<std::unique_ptr<LocalEnd>>> open_local_end(const NetcatOptions& o, msocket::stream& s) {
  auto ex = co_await asio::this_coro::executor;
  if (o.exec || o.sh_exec) {
    ChildSpec spec;
    if (o.sh_exec) {
      spec.argv = {"/bin/sh", "-c", *o.sh_exec};
    } else {
      boost::split(spec.argv, *o.exec, boost::is_any_of(" \t"), boost::token_compress_on);
    }
    spec.env = child_environment(s);
    co_return make_child_end(ex, spec);
  }
  if (o.forward) {
    tcp::resolver resolver(ex);
    auto [ec, endpoints] = co_await resolver.async_resolve(o.forward->host, o.forward->port, use_tuple);
    if (ec) co_return ec;
    tcp::socket socket(ex);
    error_code last = asio::error::host_not_found;
    for (const auto& e : endpoints) {
      auto [cec] = co_await socket.async_connect(e.endpoint(), use_tuple);
      if (!cec) co_return make_socket_end(std::move(socket));
      last = cec;
      socket = tcp::socket(ex);
    }
    co_return last;
  }
  if (o.keep_open) co_return std::unique_ptr<LocalEnd>(std::make_unique<SharedStdout>());
  co_return make_stdio_end(ex);
}

// Splices one connection (`opened` here, or accepted); true if it ended well.
asio::awaitable<bool> serve(const NetcatOptions& o, msocket::stream s, bool opened, StatsLog& stats) {
  std::optional<OpenedStream> listed;
  if (opened) listed.emplace(s);
  auto local = co_await open_local_end(o, s);
  if (!local) {
    say((o.forward ? "cannot reach " + o.forward->host + ":" + o.forward->port + ": " : std::string("cannot start command: ")) +
        local.error().message());
    s.abort();
    stats.add(s.stats());
    co_return false;
  }
  SpliceOptions splice_options = o.splice;
  if (o.keep_open && !o.exec && !o.sh_exec && !o.forward) splice_options.send = false;
  auto ec = co_await splice(s, **local, splice_options);
  stats.add(s.stats());
  if (ec) {
    say(ec == asio::error::timed_out ? std::string("idle timeout expired") : ec.message());
    co_return false;
  }
  co_return true;
}

asio::awaitable<int> run_connect(NetcatOptions o, StatsLog& stats) {
  auto ex = co_await asio::this_coro::executor;
  auto [ec, s] = co_await async_connect(ex, o.target.host, o.target.port, o.connection, use_tuple);
  if (ec) {
    const auto target = o.target.port.empty() ? o.target.host : o.target.host + ":" + o.target.port;
    say("cannot connect to " + target + ": " +
        (ec == asio::error::host_not_found ? std::string("unknown host") : ec.message()));
    co_return kExitNetwork;
  }
  co_return co_await serve(o, std::move(s), true, stats) ? kExitOk : kExitNetwork;
}

result<tcp::endpoint> bind_endpoint(const HostPort& where) {
  asio::io_context resolver_context;
  tcp::resolver resolver(resolver_context);
  error_code ec;
  auto results = resolver.resolve(where.host.empty() ? "0.0.0.0" : where.host, where.port,
                                  tcp::resolver::passive, ec);
  if (ec) return ec;
  if (results.empty()) return error_code(asio::error::host_not_found);
  return results.begin()->endpoint();
}

// -l --name: publish the listener under its name, and keep it published.
// Errors (said here): errc::refused for what retrying cannot mend (a key
// that is not the name's owner, an unreadable key file, a bad service URL).
asio::awaitable<result<name_registration>> register_listener(const NetcatOptions& o, tcp::endpoint listening) {
  auto key = name_key::load(*o.key_file);
  if (!key) {
    say("cannot use key file " + *o.key_file + ": " + key.error().message());
    co_return errc::refused;
  }
  auto ex = co_await asio::this_coro::executor;
  auto [ec, registration] = co_await name_registration::async_register(
      ex, o.connection.name_service.str(), std::move(*key), *o.register_name, listening, use_tuple);
  if (ec) {
    say("cannot register " + *o.register_name + ": " + ec.message());
    co_return errc::refused;
  }
  co_return std::move(registration);
}

asio::awaitable<int> run_listen(NetcatOptions o, StatsLog& stats) {
  auto ex = co_await asio::this_coro::executor;
  auto where = bind_endpoint(o.target);
  if (!where) {
    say("cannot listen on " + o.target.host + ": " + where.error().message());
    co_return kExitNetwork;
  }
  auto acc = acceptor::open(ex, *where, o.connection);
  if (!acc) {
    say("cannot listen on " + to_string(*where) + ": " + acc.error().message());
    co_return kExitNetwork;
  }
  log::tool()->info("listening on {}", to_string(acc->local_endpoint()));
  name_registration registration;  // stops keeping the name current when this returns
  if (o.register_name) {
    auto made = co_await register_listener(o, acc->local_endpoint());
    if (!made) co_return made.error() == errc::refused ? kExitUsage : kExitNetwork;
    registration = std::move(*made);
  }
  const bool many = o.keep_open || o.forward;
  for (;;) {
    auto [ec, s] = co_await acc->async_accept(use_tuple);
    if (ec) {
      say("accept failed: " + ec.message());
      co_return kExitNetwork;
    }
    if (!many) {
      // Moves of this connection still arrive on the listening socket.
      acc->set_accepting(false);
      co_return co_await serve(o, std::move(s), false, stats) ? kExitOk : kExitNetwork;
    }
    asio::co_spawn(ex, serve(o, std::move(s), false, stats), [](std::exception_ptr e, bool) {
      if (e) say("internal error in a connection");
    });
  }
}

// --local: each plain TCP connection accepted here gets its own msocket
// connection to the target.
asio::awaitable<int> run_local_forward(NetcatOptions o, StatsLog& stats) {
  auto ex = co_await asio::this_coro::executor;
  auto where = bind_endpoint(*o.local);
  if (!where) {
    say("cannot listen on " + o.local->host + ": " + where.error().message());
    co_return kExitNetwork;
  }
  tcp::acceptor acc(ex);
  error_code ec;
  acc.open(where->protocol(), ec);
  if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc.bind(*where, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    say("cannot listen on " + to_string(*where) + ": " + ec.message());
    co_return kExitNetwork;
  }
  log::tool()->info("listening on {}", to_string(acc.local_endpoint()));
  for (;;) {
    auto [aec, plain] = co_await acc.async_accept(use_tuple);
    if (aec) {
      say("accept failed: " + aec.message());
      co_return kExitNetwork;
    }
    asio::co_spawn(ex, [&o, &stats, plain = std::move(plain)]() mutable -> asio::awaitable<void> {
      auto ex = co_await asio::this_coro::executor;
      auto [cec, s] = co_await async_connect(ex, o.target.host, o.target.port, o.connection, use_tuple);
      if (cec) {
        say("cannot connect to " + o.target.host + ":" + o.target.port + ": " + cec.message());
        co_return;
      }
      OpenedStream listed(s);
      auto local = make_socket_end(std::move(plain));
      auto ec = co_await splice(s, *local, o.splice);
      stats.add(s.stats());
      if (ec) say(ec.message());
    }, [](std::exception_ptr e) {
      if (e) say("internal error in a forwarded connection");
    });
  }
}

}  // namespace

void migrate_all() {
  for (auto* s : opened_streams()) s->migrate();
}

asio::awaitable<int> run_netcat(NetcatOptions options) {
  StatsLog stats{options.stats_file, {}};
  int status;
  if (options.local)
    status = co_await run_local_forward(options, stats);
  else if (options.listen)
    status = co_await run_listen(options, stats);
  else
    status = co_await run_connect(options, stats);
  co_return status;
}

}  // namespace msocket::relay
