// The name service over HTTP/1.1 and JSON (Boost.Beast), as man/mnamed.8
// documents it under "HTTP API":
//   GET    /v1/names/NAME               the live record, or 404
//   GET    /v1/names/?prefix=P[&limit=N]
//                                       the live records whose names begin with P,
//                                       in name order: {"records": [...]}
//   PUT    /v1/names/NAME               store a signed record (body: its JSON)
//   DELETE /v1/names/NAME               delete, proven by a signed record
//   GET    /v1/watch/NAME?after=V[&wait=S]
//                                       long poll: answers once the live version
//                                       is above V, 410 once it is gone, 204 after S s
//   POST   /v1/watch/[?wait=S]          long poll on many names, body
//                                       {"names": {NAME: V, ...}}: answers
//                                       {"records": [...], "deleted": [NAME...]}
//                                       once any of them changed, 204 after S s
// A held watch ends at once with 204 when the next request comes on its
// connection (a client pipelines the watch of a new set of names).
// Refusals carry {"error": describe(verdict)}. One coroutine per connection,
// keep-alive, every read and write under a deadline, bodies bounded; a bad
// request costs its own connection at most, never the service. Connections
// and held watches are limited per source address as well as in all, so a
// source that holds all its share cannot keep other sources from being
// answered; updates are limited per owner key (429 beyond either). An
// update is answered once it is durable (the store's group commit); lookups
// never wait for the disk.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/error.hpp"
#include "names/rate_limiter.hpp"
#include "names/registry.hpp"

namespace msocket::names {

// The most records one listing (GET /v1/names/?prefix=) gives.
inline constexpr std::size_t kMaxListedRecords = 100;

struct ServerOptions {
  boost::asio::ip::tcp::endpoint listen{boost::asio::ip::address_v4::loopback(), 0};
  std::size_t body_limit = 16 * 1024;     // larger bodies get 413
  std::size_t watch_body_limit = 1024 * 1024;  // the same for the body of a watch of many names
  std::size_t max_watched_names = 10'000;  // names in one watch; beyond: 413
  std::size_t header_limit = 8 * 1024;    // larger headers get 431
  std::size_t max_connections = 1024;     // beyond: accepted and closed at once
  // Per source address (IPv4, or IPv6 address); beyond: answered 429 and
  // closed. 0: no limit. A process that connects by name holds two, however
  // many connections it opens (its lookups kept alive, and one watch of
  // every name it follows).
  std::size_t max_connections_per_address = 64;
  // Watches held at once (a watch of many names counts once), in all
  // (beyond: 503) and per source address (beyond: 429). 0: no limit. Fewer
  // than max_connections, so that watches alone never take every connection
  // from lookups.
  std::size_t max_watches = 512;
  std::size_t max_watches_per_address = 32;
  UpdateRate update_rate;  // accepted puts and deletes per owner key (beyond: 429)
  // A connection must bring a whole request this long after the previous
  // answer (or after it opened); otherwise it is closed. Bounds slow clients
  // and idle keep-alive connections alike.
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds write_timeout{10'000};  // to take one whole answer
  std::chrono::seconds watch_wait{30};              // a watch's hold without `wait=`
  std::chrono::seconds max_watch_wait{300};         // the largest `wait=` honoured
  // Seconds since the epoch, for expiry; the system clock if empty.
  std::function<std::int64_t()> clock;
};

class Server {
 public:
  // Binds and listens on options.listen at once (so local_endpoint() is
  // known on return) and serves on `executor`, which must be a single thread
  // or strand: the registry is used from it without locks. `registry` must
  // outlive the server and the coroutines stop() ends.
  // Errors: those of bind/listen (e.g. address in use).
  static result<std::unique_ptr<Server>> start(boost::asio::any_io_executor executor, Registry& registry,
                                               ServerOptions options);
  ~Server();  // stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Closes the listener and every connection and ends held watches; the
  // coroutines finish on the executor soon after. Idempotent. Call it from
  // the executor's thread.
  void stop();

  // Open connections and watches being held now (a watch of many names
  // counts once), for tests and logs.
  std::size_t connection_count() const;
  std::size_t watch_count() const;
  // Connections accepted since start(), those closed since included.
  std::size_t accepted_count() const;

  struct State;

 private:
  explicit Server(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace msocket::names
