// One watch of many names over one HTTP connection (POST /v1/watch/,
// docs/protocol.md §6), shared by every follower of a name in a process: a
// connection opened by name costs a subscription here, not a connection to
// the name service.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "names/client.hpp"

namespace msocket::names {

// A subscription to a Watcher.
struct WatchId {
  std::uint64_t value = 0;
  auto operator<=>(const WatchId&) const = default;
};

// Holds one watch of every name subscribed, on one connection to the first
// of `servers` that answers (as Client, it moves on to the next server when
// its own fails, and pauses 250 ms to 5 s once all have failed). When the
// set of names changes, it sends the new watch on the same connection at
// once (pipelined), and the server ends the held one. Runs while it has
// subscriptions: the last one's removal resets the connection, which ends
// the held watch at both ends at once. Every call must come from the
// executor's thread; the Watcher lives while its coroutine runs (it is
// owned by shared_ptr).
class Watcher : public std::enable_shared_from_this<Watcher> {
 public:
  using Handler = std::function<void(const WatchEvent&)>;

  Watcher(boost::asio::any_io_executor executor, std::vector<ServerUrl> servers, ClientOptions options = {});
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  // Follows `name` from version `after` on: calls `on_event` with each
  // record of a version above the last one it was given (`changed`,
  // verified, for this name), and with `deleted` when the name it had seen
  // is gone (then waits for it to come back). Never suspends; the handler
  // runs on the executor, never inside add().
  WatchId add(std::string name, std::uint64_t after, Handler on_event);
  // Ends a subscription: its handler is not called again, even if remove()
  // is called from inside a handler.
  void remove(WatchId id);
  // Our own addresses changed: closes the connection and watches again at
  // once from a new one.
  void reconnect();

  std::size_t subscriptions() const { return subscriptions_.size(); }
  // The server the watch goes to now (an index in the servers given).
  std::size_t current_server() const { return current_; }

  struct Subscription {
    std::string name;
    std::uint64_t after = 0;
    Handler on_event;
  };

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<boost::system::error_code> watch_on_one_connection();
  boost::asio::awaitable<boost::system::error_code> send_watches(Client::Connection& connection);
  boost::asio::awaitable<boost::system::error_code> read_answers(Client::Connection& connection);
  // Hands an answer to the subscribers. Errors: the refusal of a status
  // other than 200 and 204; bad_response for an answer that is no watch's.
  boost::system::error_code deliver(unsigned status, const std::string& body,
                                    const std::map<std::string, std::uint64_t>& asked);
  void deliver_changed(const Record& record);
  void deliver_deleted(const std::string& name);
  // Each name subscribed, with the lowest version a subscriber knows.
  std::map<std::string, std::uint64_t> wanted() const;
  void wake_sender();

  boost::asio::any_io_executor executor_;
  std::vector<ServerUrl> servers_;
  ClientOptions options_;
  std::size_t current_ = 0;
  std::map<WatchId, Subscription> subscriptions_;
  std::uint64_t last_id_ = 0;
  bool running_ = false;
  bool wanted_changed_ = false;  // the names asked differ from those of the last watch sent
  bool reconnecting_ = false;    // reconnect() closed the connection: open one at once
  bool answered_ = false;        // a watch was answered since the last failure
  std::vector<std::map<std::string, std::uint64_t>> in_flight_;  // watches sent, not yet answered
  Client::Connection* connection_ = nullptr;                     // the one in use, for reconnect()
  boost::asio::steady_timer wake_;   // the sender waits on it
  boost::asio::steady_timer pause_;  // between rounds of failed servers
};

}  // namespace msocket::names
