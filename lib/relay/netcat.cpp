#include "relay/netcat.hpp"

#include <unistd.h>

#include <boost/algorithm/string/split.hpp>
#include <boost/algorithm/string/classification.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "msocket/acceptor.hpp"
#include "msocket/connect.hpp"
#include "msocket/registration.hpp"
#include "msocket/text.hpp"
#include "names/name_error.hpp"
#include "relay/child_process.hpp"
#include "relay/connection_group.hpp"
#include "listener_names.hpp"
#include "relay/stop.hpp"

namespace msocket::relay {
namespace {

using error_code = boost::system::error_code;
using tcp = asio::ip::tcp;

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


// Addresses as ncat shows them: an IPv4 peer of a dual-stack listener is
// 127.0.0.1, not ::ffff:127.0.0.1.
std::string plain_address(const asio::ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6()).to_string();
  return a.to_string();
}

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

// MCAT_* names, and ncat's NCAT_* for scripts written for ncat -e/-c (the
// byte stream is TCP's as far as they can tell).
std::vector<std::string> child_environment(const msocket::stream& s) {
  std::vector<std::string> env{"MCAT_PROTO=msocket", "NCAT_PROTO=TCP"};
  auto add = [&env](const char* name, const std::string& value) {
    env.push_back(std::string("MCAT_") + name + "=" + value);
    env.push_back(std::string("NCAT_") + name + "=" + value);
  };
  if (auto r = s.remote_endpoint()) {
    add("REMOTE_ADDR", plain_address(r->address()));
    add("REMOTE_PORT", std::to_string(r->port()));
  }
  if (auto l = s.local_endpoint()) {
    add("LOCAL_ADDR", plain_address(l->address()));
    add("LOCAL_PORT", std::to_string(l->port()));
  }
  return env;
}

// Standard output shared by the connections of a keep-open listener: each
// write goes out whole, and one connection's EOF does not close it. Direct
// (the splice writes from the connection's own buffer), so that each of
// thousands of idle connections holds no read buffer of ours.
class SharedStdout final : public LocalEnd {
 public:
  asio::awaitable<result<std::size_t>> read(std::span<std::byte>) override { co_return std::size_t{0}; }
  asio::awaitable<error_code> write_all(std::span<const std::byte> bytes) override { co_return write_whole(bytes); }
  void shutdown_write() override {}
  void close() override {}
  bool direct() const override { return true; }
  result<std::size_t> read_now(std::span<std::byte>) override { return std::size_t{0}; }
  // Whole, waiting if stdout is full: the connections' writes must not interleave.
  result<std::size_t> write_now(std::span<const std::byte> bytes) override {
    if (auto ec = write_whole(bytes)) return ec;
    return bytes.size();
  }

 private:
  static error_code write_whole(std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
      const auto n = ::write(1, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return error_code(errno, boost::system::system_category());
      bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return error_code{};
  }
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
      // Opened here, not by async_connect, to be close-on-exec at once.
      error_code oec;
      socket.open(e.endpoint().protocol(), oec);
      if (oec) {
        last = oec;
        continue;
      }
      set_close_on_exec(socket.native_handle());
      auto [cec] = co_await socket.async_connect(e.endpoint(), use_tuple);
      if (!cec) co_return make_socket_end(std::move(socket));
      last = cec;
      socket = tcp::socket(ex);
    }
    co_return last;
  }
  if (o.listen && o.keep_open) co_return std::unique_ptr<LocalEnd>(std::make_unique<SharedStdout>());
  co_return make_stdio_end(ex);
}

// ncat's end-of-file rules for one connection (see SpliceOptions).
SpliceOptions splice_options(const NetcatOptions& o) {
  SpliceOptions options = o.splice;
  const bool stdio = !o.exec && !o.sh_exec && !o.forward;
  if (!stdio) return options;  // the child or the service decides when its side ends
  if (o.listen && o.keep_open) {
    // Standard input is not the connection's: send nothing, and the peer's
    // EOF ends the connection (standard output stays open for the next).
    options.send = false;
    options.end_at_peer_eof = true;
  } else {
    // The peer's EOF ends it, unless -k (connect) or --send-only ignore it.
    options.end_at_peer_eof = options.receive && !o.keep_open;
  }
  return options;
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
  auto ec = co_await splice(s, **local, splice_options(o));
  stats.add(s.stats());
  if (ec) {
    if (ec == asio::error::timed_out)
      say(stopping() ? "the peer did not close in time: connection reset" : "idle timeout expired");
    else
      say(ec.message());
    co_return false;
  }
  co_return true;
}

// -4 / -6 in connect mode: the host's first address of that family.
result<std::string> address_of_family(const NetcatOptions& o) {
  asio::io_context resolver_context;
  tcp::resolver resolver(resolver_context);
  error_code ec;
  auto results = resolver.resolve(o.family == Family::v4 ? tcp::v4() : tcp::v6(), o.target.host, o.target.port, ec);
  if (ec) return ec;
  if (results.empty()) return error_code(asio::error::host_not_found);
  return results.begin()->endpoint().address().to_string();
}

// One of the connections a listener serves at once (its end is said there).
asio::awaitable<void> serve_accepted(const NetcatOptions& o, msocket::stream s, StatsLog& stats) {
  co_await serve(o, std::move(s), false, stats);
}

asio::awaitable<int> run_connect(NetcatOptions o, StatsLog& stats) {
  auto ex = co_await asio::this_coro::executor;
  const auto target = o.target.port.empty() ? o.target.host : o.target.host + ":" + o.target.port;
  auto host = o.family == Family::any ? result<std::string>(o.target.host) : address_of_family(o);
  error_code ec;
  msocket::stream s;
  if (host) std::tie(ec, s) = co_await async_connect(ex, *host, o.target.port, o.connection, use_tuple);
  else ec = host.error();
  if (ec) {
    say("cannot connect to " + target + ": " +
        (ec == asio::error::host_not_found ? std::string("unknown host") : ec.message()));
    co_return identity_error(ec) ? kExitIdentity : kExitNetwork;
  }
  // A stop asked for meanwhile closes it in order at once (stop_all_splices).
  co_return co_await serve(o, std::move(s), true, stats) ? kExitOk : kExitNetwork;
}

// Where a listener binds: the address given, else both IPv4 and IPv6 (`::`
// takes IPv4 too, as IPv4-mapped addresses) unless -4 says IPv4 only.
result<tcp::endpoint> bind_endpoint(const HostPort& where, Family family) {
  asio::io_context resolver_context;
  tcp::resolver resolver(resolver_context);
  error_code ec;
  std::string host = where.host;
  if (host.empty()) host = family == Family::v4 ? "0.0.0.0" : "::";
  auto results = family == Family::any
                     ? resolver.resolve(host, where.port, tcp::resolver::passive, ec)
                     : resolver.resolve(family == Family::v4 ? tcp::v4() : tcp::v6(), host, where.port,
                                        tcp::resolver::passive, ec);
  if (ec) return ec;
  if (results.empty()) return error_code(asio::error::host_not_found);
  return results.begin()->endpoint();
}

asio::awaitable<int> run_listen(NetcatOptions o, StatsLog& stats) {
  auto ex = co_await asio::this_coro::executor;
  auto where = bind_endpoint(o.target, o.family);
  if (!where) {
    say("cannot listen on " + o.target.host + ": " + where.error().message());
    co_return kExitNetwork;
  }
  // -6: the socket itself refuses IPv4 peers, as ncat's does.
  o.connection.ipv6_only = o.family == Family::v6;
  // One connection on standard I/O starts nothing per connection: a
  // download's first bytes need not wait a round trip for the client's
  // confirmation (§3.1). A listener that goes on accepting (-k) waits for
  // it, so that a flood of NEWs and resets costs it nothing.
  o.connection.accept_unconfirmed = !o.keep_open && !o.exec && !o.sh_exec && !o.forward;
  std::optional<name_key> key;
  if (o.key_file) {
    auto loaded = name_key::load(*o.key_file);
    if (!loaded) {
      say("cannot use key file " + *o.key_file + ": " + loaded.error().message());
      co_return kExitUsage;
    }
    key = std::move(*loaded);
    key->sign_handshakes(o.connection);
  }
  auto acc = acceptor::open(ex, *where, o.connection);
  if (!acc) {
    say("cannot listen on " + to_string(*where) + ": " + acc.error().message());
    co_return kExitNetwork;
  }
  CloseOnStop close_on_stop([&acc] { acc->close(); });
  log::tool()->info("listening on {}", to_string(acc->local_endpoint()));
  relay_reservations relays;        // given up when this returns
  name_registration registration;  // stops keeping the name current when this returns
  const bool relayed = !o.proxies.empty() || o.proxy_pool;
  if (relayed) {
    auto reserved = co_await reserve_on_relays(o, *acc, *key);
    if (!reserved) co_return relay_refusal_status(reserved.error());
    relays = std::move(*reserved);
  }
  if (o.register_name) {
    auto made = co_await register_listener(o, *key, acc->local_endpoint(), relayed ? &relays : nullptr);
    if (!made) co_return made.error() == errc::refused ? kExitUsage : kExitNetwork;
    registration = std::move(*made);
  }
  const bool many = o.keep_open || o.forward;
  ConnectionGroup connections(ex);
  int status = kExitOk;
  while (!stopping()) {
    auto [ec, s] = co_await acc->async_accept(use_tuple);
    if (ec) {
      if (!stopping()) {
        say("accept failed: " + ec.message());
        status = kExitNetwork;
      }
      break;
    }
    if (!many) {
      // Moves of this connection still arrive on the listening socket.
      acc->set_accepting(false);
      status = co_await serve(o, std::move(s), false, stats) ? kExitOk : kExitNetwork;
      break;
    }
    connections.spawn(serve_accepted(o, std::move(s), stats));
  }
  acc->close();
  co_await connections.wait_all();
  co_return status;
}

// One plain TCP connection accepted by --local, carried over its own
// msocket connection to the target.
asio::awaitable<void> carry_local(const NetcatOptions& o, StatsLog& stats, tcp::socket plain) {
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
}

// --local: each plain TCP connection accepted here gets its own msocket
// connection to the target.
asio::awaitable<int> run_local_forward(NetcatOptions o, StatsLog& stats) {
  auto ex = co_await asio::this_coro::executor;
  auto where = bind_endpoint(*o.local, o.family);
  if (!where) {
    say("cannot listen on " + o.local->host + ": " + where.error().message());
    co_return kExitNetwork;
  }
  tcp::acceptor acc(ex);
  error_code ec;
  acc.open(where->protocol(), ec);
  if (!ec) set_close_on_exec(acc.native_handle());
  if (!ec) acc.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acc.bind(*where, ec);
  if (!ec) acc.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    say("cannot listen on " + to_string(*where) + ": " + ec.message());
    co_return kExitNetwork;
  }
  CloseOnStop close_on_stop([&acc] {
    error_code ignored;
    acc.close(ignored);
  });
  log::tool()->info("listening on {}", to_string(acc.local_endpoint()));
  ConnectionGroup connections(ex);
  int status = kExitOk;
  while (!stopping()) {
    auto [aec, plain] = co_await acc.async_accept(use_tuple);
    if (aec) {
      if (!stopping()) {
        say("accept failed: " + aec.message());
        status = kExitNetwork;
      }
      break;
    }
    set_close_on_exec(plain.native_handle());
    connections.spawn(carry_local(o, stats, std::move(plain)));
  }
  co_await connections.wait_all();
  co_return status;
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

bool identity_error(const boost::system::error_code& ec) {
  return ec == errc::identity_mismatch || ec == errc::identity_missing || ec == names::name_error::key_mismatch;
}

}  // namespace msocket::relay
