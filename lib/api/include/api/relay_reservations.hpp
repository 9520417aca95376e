// A listener behind NAT reached through relays (docs/protocol.md §5): one
// RelayAgent per relay holds the name's reservation there, and the
// flowpaths the relays join go to the listener as if it had accepted them.
// Given more relays than it is to use (`use`), it takes the nearest by TCP
// connect time, and puts another in the place of one that dies, drains or
// refuses it (the one lost waits a minute before it is tried again), and
// after the host moves to a new network takes nearer relays if there are.
// A control channel whose local address goes away is reopened at once from
// another; one that is down retries as soon as an address or route appears. The addresses
// the relays give are what the name registration publishes instead of the
// host's own.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "names/record.hpp"
#include "proxy/relay_agent.hpp"
#include "paths/shared_address_watcher.hpp"
#include "proxy/relay_choice.hpp"

namespace msocket::transport {
class Listener;
}
namespace msocket::paths {
struct AddressEvent;
}

namespace msocket::api {

class RelayReservations : public std::enable_shared_from_this<RelayReservations> {
 public:
  // `use`: how many of `relays` hold the reservation at once (0: all).
  // With `pool_url` (a name service's http://HOST:PORT) and no `relays`,
  // the candidates are the relays registered in its pool (proxy/pool_registration.hpp).
  RelayReservations(boost::asio::any_io_executor ex, std::shared_ptr<transport::Listener> listener,
                    names::SigningKey key, std::string name, std::vector<std::string> relays, std::size_t use = 0,
                    std::string pool_url = {});
  ~RelayReservations();

  // Starts every agent and waits until each has settled (reserved, refused
  // or failed once), at most `wait`. Errors, when no relay holds the
  // reservation: the first relay's failure.
  boost::asio::awaitable<boost::system::error_code> start(Duration wait);
  void stop();

  // Where clients reach the listener now: one "IP:PORT" per relay that
  // holds the reservation and is not draining.
  std::vector<std::string> addresses() const;
  // Called when addresses() changes.
  void on_change(std::function<void()> handler) { on_change_ = std::move(handler); }

 private:
  void changed();
  void tell_listener();
  void network_changed(const paths::AddressEvent& event);
  bool all_settled() const;
  std::size_t target() const;  // relays to hold the reservation at once
  // The connect time to each candidate (2 s at most), logged.
  boost::asio::awaitable<std::vector<proxy::RelayDistance>> probe_all();
  // The candidates, nearest first (those out of reach last).
  boost::asio::awaitable<std::vector<std::string>> rank_by_distance();
  // After a move: nearer relays take the place of far or lost ones in use.
  boost::asio::awaitable<void> pick_again();
  // The relays in the pool now (their control endpoints), or the error.
  boost::asio::awaitable<result<std::vector<std::string>>> list_pool();
  // Lists the pool again and adds what is new (a relay lost, none other left).
  boost::asio::awaitable<void> refresh_pool();
  // Appends the relays not yet among the candidates.
  void add_candidates(std::vector<std::string> relays);
  void start_agent(const std::string& relay);
  // Agents whose relay is lost are stopped and replaced by the next candidate.
  void replace_lost();

  boost::asio::any_io_executor ex_;
  std::weak_ptr<transport::Listener> listener_;
  names::SigningKey key_;
  std::string name_;
  std::vector<std::string> relays_;  // the candidates, nearest first once ranked
  std::size_t use_;
  std::string pool_url_;
  bool refreshing_ = false;
  std::vector<std::shared_ptr<proxy::RelayAgent>> agents_;
  std::map<std::string, TimePoint> benched_;  // relays lost, and when
  std::map<std::string, std::uint32_t> loads_;  // what the pool's records said when last listed
  std::unique_ptr<paths::SharedAddressWatcher::Subscription> watch_;
  boost::asio::steady_timer settled_;
  boost::asio::steady_timer repick_;  // pick_again waits for the move to settle
  TimePoint repick_at_{};
  bool repicking_ = false;
  std::function<void()> on_change_;
  std::vector<std::string> last_addresses_;
  bool stopped_ = false;
};

}  // namespace msocket::api
