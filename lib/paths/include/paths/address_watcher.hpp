// Watches the kernel's rtnetlink notifications for local address and link
// changes (Linux only) and reports them as AddressEvents, so the path manager
// can open, migrate or close flowpaths when an interface comes or goes.
#pragma once

#include <functional>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/error_code.hpp>

#include "paths/netlink_parse.hpp"

namespace msocket::paths {

// Owns an AF_NETLINK/NETLINK_ROUTE socket subscribed to RTMGRP_LINK,
// RTMGRP_IPV4_IFADDR and RTMGRP_IPV6_IFADDR. Not thread-safe: call start()
// and stop() from the thread running the executor (or its strand).
class AddressWatcher {
 public:
  explicit AddressWatcher(boost::asio::any_io_executor ex);
  ~AddressWatcher();  // stop()s; safe with a receive still pending
  AddressWatcher(const AddressWatcher&) = delete;
  AddressWatcher& operator=(const AddressWatcher&) = delete;

  // Opens and binds the socket, then receives in a loop, calling `handler`
  // (through the executor, never from inside start()) once per event in the
  // order the kernel sent them. Only changes after start() are reported: take
  // a snapshot with list_local_addresses() after calling it.
  // Link events may repeat the current state; the consumer ignores repeats.
  // `handler` must not throw: an exception leaves through the executor's
  // run() and ends the receive loop.
  // If the kernel drops notifications (socket buffer full) a warning is
  // logged and the loop goes on; the consumer may miss a change then.
  // Errors: the socket's open/bind error (e.g. address_family_not_supported
  // off Linux); boost::asio::error::already_started if running. Nothing is
  // started on error.
  boost::system::error_code start(std::function<void(const AddressEvent&)> handler);

  // Cancels the receive loop. `handler` is not called after stop() returns,
  // even for events of a datagram being delivered (stop() may be called from
  // inside the handler). Idempotent; start() may be called again afterwards.
  void stop();

 private:
  struct State;  // shared with the pending receive, so it outlives us if needed
  boost::asio::any_io_executor executor_;
  std::shared_ptr<State> state_;
};

}  // namespace msocket::paths
