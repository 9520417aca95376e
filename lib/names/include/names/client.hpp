// Client of mnamed's HTTP API (server.hpp, man/mnamed.8): lookup, list,
// put, erase and watch as awaitables, for the tool and for the rest of the
// library (connect-by-name looks up and watches; listeners publish).
// Errors are error codes: name_error (name_error.hpp) for what the server
// refused or answered wrongly, Asio's for the network. Nothing throws for
// the server's or the network's sake.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

#include "msocket/error.hpp"
#include "names/name_error.hpp"
#include "names/record.hpp"

namespace msocket::names {

struct ServerUrl {
  std::string host;  // a name or an address; IPv6 without brackets
  std::string port;
};
// "http://HOST:PORT" (an optional trailing '/') or "HOST:PORT"; IPv6 hosts
// in brackets. Errors: name_error::bad_url.
result<ServerUrl> parse_server_url(std::string_view url);
// One URL or several, comma-separated: "http://HOST:PORT[,http://HOST:PORT...]"
// (front ends of one shared store). Errors: name_error::bad_url.
result<std::vector<ServerUrl>> parse_server_list(std::string_view urls);

struct ClientOptions {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds request_timeout{10'000};  // one request and its whole answer
  std::chrono::seconds watch_wait{30};  // how long the server may hold one watch (`wait=`)
};

// How one watch ended (GET /v1/watch).
struct WatchEvent {
  enum class Kind { changed, deleted, unchanged } kind = Kind::unchanged;
  std::optional<Record> record;  // with `changed`: the new record, verified
};

// Talks to one server, or to the first of several that answers (front ends
// of one shared store: mnamed --store etcd=): a request that cannot reach
// its server, or loses its connection before the answer, is sent to the
// next one, and later requests stay there. Lookups, listings, puts and
// erasures share one kept-alive connection: they may be called at once,
// and wait their turn on it (one request on the wire at a time). A watch
// holds a connection of its own (one is kept for the next watch). Every
// call must come from the executor's thread, and the Client must outlive
// the operations that run (destroying the io_context with operations
// suspended is fine, before or after the Client).
class Client {
 public:
  Client(boost::asio::any_io_executor executor, ServerUrl server, ClientOptions options = {});
  // `servers` must not be empty.
  Client(boost::asio::any_io_executor executor, std::vector<ServerUrl> servers, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The live record of `name`, its signature verified and its name checked.
  // Errors: not_found; bad_signature or bad_response for an answer that is
  // not the owner's record of `name`; too_many_requests (the server limits
  // this client: HTTP 429), server_busy (503); timeout; network errors.
  boost::asio::awaitable<result<Record>> lookup(std::string name);
  // The live records whose names begin with `prefix` (1 to 253 name
  // characters), in name order, at most `limit` (the server gives 100 at
  // most; 0 asks nothing and gives none). Each is checked as lookup() checks
  // one: a record whose signature does not verify, or whose name lacks the
  // prefix, is left out. Errors: invalid_name for a bad prefix; the
  // network's; the server's refusal (as lookup's; bad_response for an
  // answer that is not a listing).
  boost::asio::awaitable<result<std::vector<Record>>> list(std::string prefix, std::size_t limit = 100);
  // Stores a signed record; returns what the server stored. A put sent
  // again to the next server after its own failed, and refused there as
  // stale, succeeds if the record stored is this one (the failed server
  // stored it before its answer was lost). Errors:
  // bad_signature, wrong_owner, stale_version, expired, rejected, too_large,
  // too_many_requests (the key's update rate), server_failed (e.g. the
  // server's disk is full), timeout, network errors.
  boost::asio::awaitable<result<Record>> put(Record record);
  // Deletes `proof.name`; `proof` is signed by the owner with a version above
  // the stored one. Errors: those of put, and not_found.
  boost::asio::awaitable<boost::system::error_code> erase(Record proof);
  // One long poll: `changed` as soon as the live version is above `after`
  // (at once if it already is), `deleted` if `after` > 0 and the name is gone,
  // `unchanged` after options.watch_wait. Errors: as lookup.
  boost::asio::awaitable<result<WatchEvent>> watch(std::string name, std::uint64_t after);
  // Ends the operations in flight and those waiting their turn: they
  // complete with operation_aborted (or another network error). Later
  // operations work as usual.
  void cancel();
  // Our own addresses changed: closes the connections, and the requests in
  // flight on them are sent again on new ones (from the new address).
  void reconnect();

  const std::vector<ServerUrl>& servers() const { return servers_; }
  const ClientOptions& options() const { return options_; }
  const boost::asio::any_io_executor& executor() const { return executor_; }
  // The server requests go to now (an index in servers()).
  std::size_t current_server() const { return current_; }

  struct Connection;
  struct Shared;
  struct Answer {
    unsigned status = 0;
    std::string body;
  };

 private:
  // One request and its answer (a body of `answer_limit` bytes at most):
  // on the request connection in its turn, or for a watch (`held`) on a
  // connection of its own; once more on a new connection if the server had
  // closed a kept-alive one, and on to the next server if its own fails.
  boost::asio::awaitable<result<Answer>> exchange(boost::beast::http::verb method, std::string target,
                                                  std::string body, std::chrono::milliseconds timeout,
                                                  std::size_t answer_limit, bool held = false);
  // Moves requests to the next server after `failed` failed with `ec`.
  void fail_over(std::size_t failed, const boost::system::error_code& ec);

  boost::asio::any_io_executor executor_;
  std::vector<ServerUrl> servers_;
  std::size_t current_ = 0;  // the server requests go to
  ClientOptions options_;
  // The connections and the queue of requests waiting their turn. Shared
  // with the operations, so that destroying suspended ones (with their
  // io_context) after the Client is safe.
  std::shared_ptr<Shared> shared_;
};

// What a name's owner publishes.
struct Registration {
  std::string name;
  std::vector<std::string> addresses;  // "IP:PORT"
  std::string control;                 // "IP:PORT" or empty
  std::chrono::seconds ttl{3600};
  std::uint32_t load = 0;              // Record::load
  // The version to sign; 0: next_version() of the stored one.
  std::uint64_t version = 0;
};

// A version above `stored` and no lower than the time in microseconds, so
// that one key holder's updates keep increasing even across restarts.
std::uint64_t next_version(std::optional<std::uint64_t> stored);

// Looks the name up, signs a record with next_version() (or the
// registration's own version, without the lookup) and puts it.
// Errors: those of lookup (but not_found) and put.
boost::asio::awaitable<result<Record>> publish(Client& client, SigningKey key, Registration registration);
// Deletes `name` with a signed proof. Errors: those of erase.
boost::asio::awaitable<boost::system::error_code> unpublish(Client& client, SigningKey key, std::string name);
// Watches `name` from version `after` on: calls `on_event` for each change
// and deletion (after a deletion it waits for a new registration), until an
// error, which it returns.
boost::asio::awaitable<boost::system::error_code> follow(Client& client, std::string name, std::uint64_t after,
                                                         std::function<void(const WatchEvent&)> on_event);

}  // namespace msocket::names
