// mnamed's DNS face on the network: UDP, and TCP on the same port (for
// answers too big for a datagram, RFC 7766), answering from the registry
// as dns_answer.hpp says. Queries are limited per source, an IPv4 address
// or an IPv6 /64 (a token bucket each, rate_limiter.hpp): beyond, they are dropped unanswered, as
// are malformed and oversized ones, so a forged source address can neither
// make mnamed flood its owner nor learn anything from it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>

#include "msocket/error.hpp"
#include "names/dns_answer.hpp"
#include "names/rate_limiter.hpp"
#include "names/registry.hpp"

namespace msocket::names {

struct DnsServerOptions {
  // UDP and TCP, both on this address and port (port 0: one the kernel
  // picks that is free for both).
  boost::asio::ip::udp::endpoint listen{boost::asio::ip::address_v4::loopback(), 0};
  DnsZone zone;
  TokenRate query_rate{200, 400};  // queries per source (IPv4 address, IPv6 /64), UDP and TCP together; 0: no limit
  std::size_t max_tcp_connections = 64;              // beyond: accepted and closed at once
  std::size_t max_tcp_connections_per_address = 8;   // beyond: closed at once
  std::chrono::milliseconds tcp_idle_timeout{10'000};  // for the next query, then for its bytes
  // Seconds since the epoch, for expiry and TTLs; the system clock if empty.
  std::function<std::int64_t()> clock;
};

// What the server did with the queries it received (for logs and tests).
struct DnsCounts {
  std::uint64_t answered = 0;  // any answer sent, NXDOMAIN and REFUSED included
  std::uint64_t malformed = 0;
  std::uint64_t oversized = 0;
  std::uint64_t rate_limited = 0;
};

class DnsServer {
 public:
  // Binds UDP and TCP at once (so local_endpoint() is known on return) and
  // serves on `executor`, which must be a single thread or strand: the
  // registry is read from it without locks. `registry` must outlive the
  // server and the coroutines stop() ends. options.zone must pass
  // valid_dns_zone. Errors: those of bind/listen (e.g. address in use).
  static result<std::unique_ptr<DnsServer>> start(boost::asio::any_io_executor executor, Registry& registry,
                                                  DnsServerOptions options);
  ~DnsServer();  // stop()
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  boost::asio::ip::udp::endpoint local_endpoint() const;
  // Closes the sockets; the coroutines finish on the executor soon after.
  // Idempotent. Call it from the executor's thread.
  void stop();
  DnsCounts counts() const;

  struct State;

 private:
  explicit DnsServer(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace msocket::names
