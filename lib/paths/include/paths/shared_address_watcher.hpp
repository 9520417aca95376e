// One rtnetlink watcher per io_context (AddressWatcher), shared by every
// listener, client connection and name registration on it, each told of
// every event: a process holding ten thousand connections holds one
// netlink socket, not ten thousand, and lists its addresses once per event,
// not once per connection. Opened with the first subscription, closed with
// the last: an io_context whose connections are gone runs out of work.
//
// Subscribers are told in the order they subscribed, each on the executor
// it gave (at once when that is the executor running the event). Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>

#include "paths/address_watcher.hpp"
#include "paths/local_addresses.hpp"

namespace msocket::paths {

class SharedAddressWatcher : public boost::asio::execution_context::service {
 public:
  // `now`: the local addresses right after the event, listed once for all.
  using Handler = std::function<void(const AddressEvent& event, const std::vector<LocalAddress>& now)>;

  static inline boost::asio::execution_context::id id;
  explicit SharedAddressWatcher(boost::asio::execution_context& context) : service(context) {}

  // The instance of `ex`'s execution context.
  static SharedAddressWatcher& of(const boost::asio::any_io_executor& ex);

  // Its handler is called until it is destroyed (on the executor that runs
  // the events: from another thread, an event being told may still arrive).
  class Subscription {
   public:
    Subscription(SharedAddressWatcher& owner, std::uint64_t key) : owner_(owner), key_(key) {}
    ~Subscription() { owner_.unsubscribe(key_); }
    Subscription(const Subscription&) = delete;
    Subscription& operator=(const Subscription&) = delete;

   private:
    SharedAddressWatcher& owner_;
    std::uint64_t key_;
  };

  // Calls `handler` on `ex` for every event from now on (take a snapshot
  // with list_local_addresses() after subscribing). Null when the netlink
  // socket cannot be opened (AddressWatcher logs why): the caller goes
  // without address events.
  std::unique_ptr<Subscription> subscribe(const boost::asio::any_io_executor& ex, Handler handler);
  std::size_t subscribers() const;

 private:
  struct Subscriber {
    boost::asio::any_io_executor executor;
    std::shared_ptr<Handler> handler;
  };
  void shutdown() override;
  void unsubscribe(std::uint64_t key);
  void fan_out(const AddressEvent& event);

  mutable std::mutex mutex_;
  std::unique_ptr<AddressWatcher> watcher_;
  std::map<std::uint64_t, Subscriber> subscribers_;  // by key: in the order they came
  std::uint64_t next_key_ = 0;
  bool shut_down_ = false;
};

}  // namespace msocket::paths
