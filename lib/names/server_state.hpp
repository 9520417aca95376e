// What the name server's coroutines share (server.cpp serves connections,
// server_requests.cpp answers requests), and the HTTP helpers both use.
// Private to lib/names.
#pragma once

#include <array>
#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/value.hpp>

#include "names/address_slots.hpp"
#include "names/rate_limiter.hpp"
#include "names/server.hpp"

namespace msocket::names {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using SteadyClock = std::chrono::steady_clock;

inline constexpr std::string_view kNamesPrefix = "/v1/names/";
inline constexpr std::string_view kWatchPrefix = "/v1/watch/";

// A request target's path: up to its '?'.
inline std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

// Calls visit(key, value) for each `key=value` of a query string, in
// order, until it returns false (pairs without '=' are passed over); false
// if it did. Values are taken as they are, not percent-decoded: numbers and
// name characters need no escaping.
template <class Visit>
bool each_parameter(std::string_view query, Visit visit) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    if (!visit(pair.substr(0, eq), pair.substr(eq + 1))) return false;
  }
  return true;
}

// A watch waiting for a change (server_watch.cpp): its timer, woken by
// notify(), and for a watch of many names the names it was told of, so
// that it reads those again and not every name it holds.
struct WatchWaiter {
  boost::asio::steady_timer& timer;
  std::set<std::string>* woken = nullptr;  // null for a watch of one name
  bool* everything_woken = nullptr;        // notify("") sets it (with `woken`)
};

struct Server::State {
  State(boost::asio::any_io_executor executor, Registry& registry, ServerOptions options);

  // Seconds since the epoch, for expiry.
  std::int64_t now() const;
  // Wakes the watches held on `name` (every watch if it is empty); each
  // looks at the registry again.
  void notify(const std::string& name);
  // Counts the changes notified that may concern `name`. A watch compares
  // it before and after reading the store: a change told while the store
  // was being read (an etcd store answers after a round trip) found no
  // timer to wake, so the watch reads again rather than wait.
  std::uint64_t changes_of(const std::string& name) const;

  boost::asio::any_io_executor executor;
  boost::asio::ip::tcp::acceptor acceptor;
  Registry& registry;
  ServerOptions options;
  bool stopped = false;
  std::set<boost::beast::tcp_stream*> connections;  // so that stop() can close them
  AddressSlots connection_slots;                    // per source address
  AddressSlots watch_slots;                         // in all and per source address
  UpdateRateLimiter update_limiter;
  std::multimap<std::string, WatchWaiter*> watches;  // by name, the watches waiting on it
  std::size_t watches_waiting = 0;  // watches (of one name or many) waiting now
  std::size_t accepted = 0;         // connections accepted since start
  std::array<std::uint64_t, 64> change_counts{};  // by a hash of the name (changes_of)
};

// Who sent a request: the address its limits count against, and the text
// for logs ("192.0.2.7:40211").
struct Peer {
  boost::asio::ip::address address;
  std::string text;
};

// The answer to one request. Suspends for a watch, and for an update until
// it is durable.
boost::asio::awaitable<Response> answer(std::shared_ptr<Server::State> state, const Request& request,
                                        const Peer& peer);

// GET /v1/watch/NAME and POST /v1/watch/ (server_watch.cpp); `name` is
// empty for the second. Suspends until a change, a deletion or the wait's
// end, and ends early (204) when cancelled.
boost::asio::awaitable<Response> answer_watch(std::shared_ptr<Server::State> state, const Request& request,
                                              std::string name, std::string_view query, const Peer& peer);

// A JSON answer.
Response reply(unsigned version, bool keep_alive, boost::beast::http::status status,
               const boost::json::value& body);
// A JSON answer in the request's HTTP version and keep-alive.
Response reply_to(const Request& request, boost::beast::http::status status, const boost::json::value& body);
// {"error": why}, in the request's HTTP version and keep-alive.
Response refuse(const Request& request, boost::beast::http::status status, std::string_view why);
// 429 or 503 with Retry-After: 1.
Response refuse_for_now(const Request& request, boost::beast::http::status status, std::string_view why);
// 503: the store did not answer.
Response store_unavailable(const Request& request, boost::system::error_code ec);
// 204, no body.
Response no_content(const Request& request);

}  // namespace msocket::names
