// The servers of mbench proxy's idle reservations, all inside mbench: one
// control channel per reservation to a single relay, each reserving a name
// of its own with a fresh key (as that many servers behind NAT would, one
// name each), then renewing it every third of its ttl as a listener's agent
// does (proxy/reservation_request.hpp) while nothing else happens. Their
// source addresses are spread over 127.0.x.y so that no source comes near
// the relay's limits per address (64 reservations, 16 handshakes at once).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "msocket/types.hpp"

namespace msocket::mbench {

class ReservationHolders {
 public:
  // `count` reservations on the relay whose control port is `relay`.
  ReservationHolders(boost::asio::any_io_executor ex, boost::asio::ip::tcp::endpoint relay, unsigned count);
  ~ReservationHolders();
  ReservationHolders(const ReservationHolders&) = delete;
  ReservationHolders& operator=(const ReservationHolders&) = delete;

  // Opens the channels and reserves, a few at a time; each is renewed from
  // the moment it is granted. Returns once every one is; `progress` hears
  // the count granted so far. Throws std::runtime_error naming the first
  // reservation that failed and why (a refusal with the relay's words).
  boost::asio::awaitable<void> reserve_all(const std::function<void(unsigned granted)>& progress);
  // Lets `duration` pass while the renewals go on. Throws std::runtime_error
  // if a channel was lost or a renewal went unanswered meanwhile.
  boost::asio::awaitable<void> hold_for(Duration duration);
  // Closes every channel and returns once their renewals have ended.
  boost::asio::awaitable<void> close();

  // Source addresses used (127.0.1.1 onwards).
  unsigned sources() const { return sources_; }
  // The renewal interval: a third of the ttl the relay granted.
  Duration renewal_interval() const { return renewal_interval_; }

 private:
  struct Channel;
  boost::asio::awaitable<void> reserve_sources(unsigned first_source, const std::function<void()>& granted_one);
  // From its source address to the relay's control port, within the answer timeout.
  boost::asio::awaitable<boost::system::error_code> connect(Channel& channel);
  // False when it failed (fail() has said why).
  boost::asio::awaitable<bool> reserve_one(Channel& channel);
  void start_renewing(Channel& channel);
  boost::asio::awaitable<void> renew(Channel& channel);
  void fail(const Channel& channel, const std::string& why);

  boost::asio::any_io_executor ex_;
  boost::asio::ip::tcp::endpoint relay_;
  std::vector<std::unique_ptr<Channel>> channels_;
  unsigned sources_ = 0;
  Duration renewal_interval_{};
  unsigned renewing_ = 0;                  // renewal loops still running
  boost::asio::steady_timer renewals_ended_;  // cancelled when the last one ends
  std::string failure_;                    // the first, once there is one
  bool closing_ = false;
};

}  // namespace msocket::mbench
