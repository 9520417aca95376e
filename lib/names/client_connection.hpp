// One HTTP/1.1 connection of the name service's client to a front end, and
// what the Client (client_connection.cpp) and the Watcher (watcher.cpp)
// both need to open and use one. Private to lib/names.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include "msocket/error.hpp"
#include "names/client.hpp"

namespace msocket::names {

struct Client::Connection {
  Connection(const boost::asio::any_io_executor& executor, std::size_t server) : stream(executor), server(server) {}
  boost::beast::tcp_stream stream;
  boost::beast::flat_buffer buffer;
  std::size_t server;  // its index in the client's list
};

class QueuedRequest;

// What a Client shares with its operations (client_connection.cpp).
struct Client::Shared {
  std::unique_ptr<Connection> idle;        // the request connection, between requests
  std::unique_ptr<Connection> idle_watch;  // kept for the next watch
  std::set<Connection*> busy;              // in use by an operation: cancel() closes them
  bool turn_taken = false;                 // a request is on the request connection
  std::list<QueuedRequest*> queue;         // the requests waiting for their turn, in order
  std::uint64_t cancels = 0;               // cancel() calls
  std::uint64_t reconnects = 0;            // reconnect() calls
};

// Opens a connection to `server` (index `index` in its list), within
// `timeout`. Errors: name_error::bad_url (a bad port), name_error::timeout,
// the resolver's and the socket's.
boost::asio::awaitable<result<std::unique_ptr<Client::Connection>>> open_connection(
    boost::asio::any_io_executor executor, const ServerUrl& server, std::size_t index,
    std::chrono::milliseconds timeout);

// A request with the headers every request of the client has (Host is set
// by with_host()).
boost::beast::http::request<boost::beast::http::string_body> make_request(boost::beast::http::verb method,
                                                                          std::string target, std::string body);
void with_host(boost::beast::http::request<boost::beast::http::string_body>& request, const ServerUrl& server);

// The error a refusal stands for (server.cpp: status_of and refuse).
boost::system::error_code refusal(const Client::Answer& answer);

// Whether `ec` says the server closed the connection (or reset it).
bool connection_closed(const boost::system::error_code& ec);

}  // namespace msocket::names
