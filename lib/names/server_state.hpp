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
  std::multimap<std::string, boost::asio::steady_timer*> watches;  // the timers of watches waiting
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

// A JSON answer.
Response reply(unsigned version, bool keep_alive, boost::beast::http::status status,
               const boost::json::value& body);
// {"error": why}, in the request's HTTP version and keep-alive.
Response refuse(const Request& request, boost::beast::http::status status, std::string_view why);

}  // namespace msocket::names
