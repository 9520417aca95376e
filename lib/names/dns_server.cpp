// mnamed's DNS face on UDP and TCP (names/dns_server.hpp); what to answer
// is dns_answer.cpp's.
#include "names/dns_server.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "core/close_on_exec.hpp"
#include "core/coroutine.hpp"
#include "core/log.hpp"
#include "names/address_slots.hpp"

namespace msocket::names {

namespace asio = boost::asio;
namespace beast = boost::beast;
using udp = asio::ip::udp;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

struct DnsServer::State {
  State(asio::any_io_executor executor, Registry& registry, DnsServerOptions options)
      : executor(executor),
        datagrams(executor),
        acceptor(executor),
        registry(registry),
        options(std::move(options)),
        limiter(this->options.query_rate),
        tcp_slots(this->options.max_tcp_connections, this->options.max_tcp_connections_per_address) {}

  // Whom a query counts against: an IPv4 address, or an IPv6 /64 (one
  // host is given a whole /64 and may draw addresses from it at will, as
  // BIND's rate limiting also counts IPv6 by prefix).
  static SourceKey rate_key(const asio::ip::address& address) {
    if (address.is_v4()) return asio::ip::make_address_v6(asio::ip::v4_mapped, address.to_v4()).to_bytes();
    auto key = address.to_v6().to_bytes();
    std::fill(key.begin() + 8, key.end(), 0);
    return key;
  }

  std::int64_t now() const {
    if (options.clock) return options.clock();
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }

  // The answer to one query from `source`; empty bytes: send nothing.
  // The registry's reads may wait (an etcd store, names/store.hpp) and
  // answer_dns_query looks up as it builds: a first pass learns which name
  // the query asks for, the record is read, a second pass answers with it.
  asio::awaitable<std::vector<std::uint8_t>> answer(std::span<const std::uint8_t> query,
                                                    const asio::ip::address& source, DnsTransport transport) {
    const auto address = source_address(source);
    if (!limiter.admit(rate_key(address), std::chrono::steady_clock::now())) {
      ++counts.rate_limited;
      co_return std::vector<std::uint8_t>{};
    }
    const auto at = now();
    // The names it would look up, in its order (lower case first, then as
    // spelled); the second pass stops where the first found a record.
    std::vector<std::string> asked;
    answer_dns_query(
        query, options.zone,
        [&](const std::string& name) {
          asked.push_back(name);
          return std::optional<Record>{};
        },
        at, transport);
    std::map<std::string, std::optional<Record>> found;
    for (const auto& name : asked) {
      // The call's std::string stays out of the co_await (g++ 12 destroys
      // such temporaries twice, see client.cpp).
      auto reading = registry.get(name, at);
      auto record = co_await std::move(reading);
      if (!record) {  // the store is out of reach: no answer, the resolver asks again
        log::names()->debug("dns {} from {}: {}", name, address.to_string(), record.error().message());
        co_return std::vector<std::uint8_t>{};
      }
      found[name] = std::move(*record);
      if (found[name]) break;
    }
    auto reply = answer_dns_query(
        query, options.zone,
        [&](const std::string& name) {
          const auto it = found.find(name);
          return it == found.end() ? std::optional<Record>{} : it->second;
        },
        at, transport);
    if (reply.outcome == DnsOutcome::dropped_malformed) ++counts.malformed;
    if (reply.outcome == DnsOutcome::dropped_oversized) ++counts.oversized;
    if (!reply.bytes.empty()) ++counts.answered;
    log::names()->debug("dns {} from {}: {}", reply.question.empty() ? "query" : reply.question, address.to_string(),
                        describe(reply.outcome));
    co_return std::move(reply.bytes);
  }

  asio::any_io_executor executor;
  udp::socket datagrams;
  tcp::acceptor acceptor;
  Registry& registry;
  DnsServerOptions options;
  SourceRateLimiter limiter;
  AddressSlots tcp_slots;
  std::set<beast::tcp_stream*> connections;  // so that stop() can close them
  DnsCounts counts;
  bool stopped = false;
};

namespace {

using State = DnsServer::State;

// After an unexpected socket error: a pause rather than a spin.
asio::awaitable<void> pause(State& state) {
  asio::steady_timer timer(state.executor, std::chrono::milliseconds(100));
  co_await timer.async_wait(use_tuple);
}

asio::awaitable<void> serve_datagrams(std::shared_ptr<State> state) {
  // One byte more than a query may have: a datagram that fills it is
  // oversized (the kernel cuts a longer one to the buffer, silently).
  std::array<std::uint8_t, kMaxDnsQuery + 1> buffer;
  udp::endpoint source;
  while (!state->stopped) {
    auto [ec, n] = co_await state->datagrams.async_receive_from(asio::buffer(buffer), source, use_tuple);
    if (state->stopped) break;
    if (ec == asio::error::connection_refused) continue;  // ICMP for an earlier answer
    if (ec) {
      log::names()->warn("dns receive: {}", ec.message());
      co_await pause(*state);
      continue;
    }
    const auto answer = co_await state->answer(std::span(buffer.data(), n), source.address(), DnsTransport::udp);
    if (answer.empty()) continue;
    co_await state->datagrams.async_send_to(asio::buffer(answer), source, use_tuple);
  }
}

// Keeps a connection in State::connections while it lives.
class TrackedStream {
 public:
  TrackedStream(State& state, beast::tcp_stream& stream) : state_(state), stream_(stream) {
    state_.connections.insert(&stream_);
  }
  ~TrackedStream() { state_.connections.erase(&stream_); }
  TrackedStream(const TrackedStream&) = delete;
  TrackedStream& operator=(const TrackedStream&) = delete;

 private:
  State& state_;
  beast::tcp_stream& stream_;
};

// Queries on one TCP connection, each after its two-byte length (RFC 1035
// §4.2.2), until the client closes, idles, or sends one too long.
asio::awaitable<void> serve_stream(std::shared_ptr<State> state, tcp::socket socket) {
  error_code ec;
  const auto source = socket.remote_endpoint(ec).address();
  if (ec) co_return;
  beast::tcp_stream stream(std::move(socket));
  TrackedStream tracked(*state, stream);
  AddressSlots::Slot slot;
  if (state->tcp_slots.take(source_address(source), slot) != AddressSlots::Refusal::none) co_return;
  std::array<std::uint8_t, 2 + kMaxDnsQuery> buffer;
  while (!state->stopped) {
    stream.expires_after(state->options.tcp_idle_timeout);
    auto [length_error, got] = co_await asio::async_read(stream, asio::buffer(buffer.data(), 2), use_tuple);
    const std::size_t length = (std::size_t{buffer[0]} << 8) | buffer[1];
    if (length_error || state->stopped || length > kMaxDnsQuery) break;
    auto [query_error, read] = co_await asio::async_read(stream, asio::buffer(buffer.data() + 2, length), use_tuple);
    if (query_error || state->stopped) break;
    auto answer = co_await state->answer(std::span(buffer.data() + 2, length), source, DnsTransport::tcp);
    if (answer.empty()) break;  // nothing to say to a malformed stream: end it
    const std::array<std::uint8_t, 2> prefix{static_cast<std::uint8_t>(answer.size() >> 8),
                                             static_cast<std::uint8_t>(answer.size())};
    const std::array<asio::const_buffer, 2> message{asio::buffer(prefix), asio::buffer(answer)};
    auto [write_error, written] = co_await asio::async_write(stream, message, use_tuple);
    if (write_error) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

asio::awaitable<void> accept_streams(std::shared_ptr<State> state) {
  while (!state->stopped) {
    auto [ec, socket] = co_await state->acceptor.async_accept(use_tuple);
    if (state->stopped) break;
    if (ec) {
      log::names()->warn("dns accept: {}", ec.message());
      co_await pause(*state);
      continue;
    }
    asio::co_spawn(state->executor, serve_stream(state, std::move(socket)),
                   LogCoroutineFailure(log::names(), "a DNS connection"));
  }
}

// Binds the UDP socket, then TCP on the same port. With port 0 the port
// the kernel gives UDP may be taken for TCP: another one is tried.
error_code bind_both(State& state, udp::endpoint endpoint) {
  error_code ec;
  for (int attempt = 0; attempt < 10; ++attempt) {
    if (state.datagrams.is_open()) state.datagrams.close(ec);
    if (state.acceptor.is_open()) state.acceptor.close(ec);
    ec = {};
    state.datagrams.open(endpoint.protocol(), ec);
    if (!ec) set_close_on_exec(state.datagrams.native_handle());
    if (!ec) state.datagrams.bind(endpoint, ec);
    if (ec) return ec;
    const tcp::endpoint stream_endpoint(endpoint.address(), state.datagrams.local_endpoint().port());
    state.acceptor.open(stream_endpoint.protocol(), ec);
    if (!ec) set_close_on_exec(state.acceptor.native_handle());
    if (!ec) state.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) state.acceptor.bind(stream_endpoint, ec);
    if (!ec) state.acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (!ec || endpoint.port() != 0) return ec;
  }
  return ec;
}

}  // namespace

result<std::unique_ptr<DnsServer>> DnsServer::start(asio::any_io_executor executor, Registry& registry,
                                                    DnsServerOptions options) {
  BOOST_ASSERT(valid_dns_zone(options.zone));
  auto state = std::make_shared<State>(executor, registry, std::move(options));
  if (const auto ec = bind_both(*state, state->options.listen)) return ec;
  asio::co_spawn(executor, serve_datagrams(state), LogCoroutineFailure(log::names(), "the DNS datagram loop"));
  asio::co_spawn(executor, accept_streams(state), LogCoroutineFailure(log::names(), "the DNS accept loop"));
  return std::unique_ptr<DnsServer>(new DnsServer(std::move(state)));
}

DnsServer::~DnsServer() { stop(); }

udp::endpoint DnsServer::local_endpoint() const {
  error_code ec;
  return state_->datagrams.local_endpoint(ec);
}

void DnsServer::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  error_code ec;
  state_->datagrams.close(ec);
  state_->acceptor.close(ec);
  for (auto* stream : state_->connections) stream->close();
}

DnsCounts DnsServer::counts() const { return state_->counts; }

}  // namespace msocket::names
