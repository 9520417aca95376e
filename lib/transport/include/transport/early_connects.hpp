// Client: the TCP connects of a connection's extra flowpaths, started
// together with the first flowpath's, before the connection exists. An
// ADD_PATH needs the connection's id and secret, so it waits for the NEW's
// answer (docs/protocol.md §3.1, §2.2); its TCP handshake need not. Over a
// second path with a longer RTT (LTE beside WiFi) that handshake was the
// larger part of the delay before the path carried anything, which small
// transfers could not afford (docs/scheduler.md §4.8). Nothing is sent on
// these sockets until the connection takes one for an ADD_PATH, which
// stays authenticated as any other.
#pragma once

#include <memory>
#include <optional>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "msocket/error.hpp"
#include "msocket/options.hpp"

namespace msocket::transport {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class EarlyConnects {
 public:
  // Starts a connect to `remote` from each of `options.extra_sources` that
  // is of the remote's family and is not `options.source`, each bounded by
  // `options.connect_timeout`. Must run on the connection's executor `ex`.
  EarlyConnects(asio::any_io_executor ex, const tcp::endpoint& remote, const Options& options);
  // Ends the connects still running and closes the sockets never taken.
  ~EarlyConnects();
  EarlyConnects(const EarlyConnects&) = delete;
  EarlyConnects& operator=(const EarlyConnects&) = delete;

  // Whether a connect from `source` to `remote` was started and not taken.
  bool holds(const asio::ip::address& source, const tcp::endpoint& remote) const;
  // Takes that connect (once): its socket when it has succeeded, waiting for
  // it to end unless `deadline` completes first (timed_out then, as
  // connect_socket says); its error when it failed. Suspends.
  asio::awaitable<result<tcp::socket>> take(const asio::ip::address& source, const tcp::endpoint& remote,
                                            asio::steady_timer& deadline);

  struct Entry;

 private:
  // The last connect from `source` to `remote` not yet taken, if any.
  std::shared_ptr<Entry> untaken(const asio::ip::address& source, const tcp::endpoint& remote) const;

  std::vector<std::shared_ptr<Entry>> entries_;
};

}  // namespace msocket::transport
