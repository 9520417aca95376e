// Where a connection's peer can be found now. A connection opened by name
// holds one (the name service's, lib/api/name_locator.hpp): the transport
// asks it again when a connect or a move fails (connect-time mobility, and
// server mobility when RECONNECT cannot reach us), and follows its changes
// while the connection lives (simultaneous mobility, paper §III-B3).
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "msocket/error.hpp"

namespace msocket::transport {

class Locator {
 public:
  using Endpoints = std::vector<boost::asio::ip::tcp::endpoint>;
  virtual ~Locator() = default;

  // The peer's addresses now, most preferred first. May suspend.
  // Errors: those of the lookup; an empty list is never a success.
  virtual boost::asio::awaitable<result<Endpoints>> resolve() = 0;
  // Calls `changed` with the new addresses each time the peer publishes new
  // ones, until stop(). One follower at a time; a second call replaces it.
  virtual void follow(std::function<void(const Endpoints&)> changed) = 0;
  virtual void stop() = 0;
  // Our own addresses changed: connections to wherever the locator asks may
  // be dead (bound to an address we no longer have); drop them.
  virtual void network_changed() {}
  // For logs and messages: what is being located ("name srv.example").
  virtual std::string describe() const = 0;
  // The key the peer must sign its handshake with (docs/protocol.md §4.3),
  // as the latest resolve() found it: a name's owner key. nullopt: none.
  virtual std::optional<std::array<std::byte, 32>> identity() const { return std::nullopt; }
  // Whether an error of resolve() is one that asking again cannot mend
  // (a record signed by another key than the pinned one).
  virtual bool definitive(const boost::system::error_code&) const { return false; }
};

}  // namespace msocket::transport
