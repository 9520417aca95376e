// The relay's bookkeeping, shared by relay.cpp, relay_control.cpp and
// relay_flows.cpp. Private to lib/proxy.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <utility>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "proxy/relay.hpp"

namespace msocket::proxy {

// A slot counted per source address, given back when it goes out of scope.
class SourceSlot {
 public:
  SourceSlot(std::map<boost::asio::ip::address, std::size_t>& counts, boost::asio::ip::address source)
      : counts_(&counts), source_(source) {
    ++(*counts_)[source_];
  }
  SourceSlot(SourceSlot&& other) noexcept : counts_(std::exchange(other.counts_, nullptr)), source_(other.source_) {}
  SourceSlot(const SourceSlot&) = delete;
  SourceSlot& operator=(const SourceSlot&) = delete;
  ~SourceSlot() {
    if (!counts_) return;
    if (auto it = counts_->find(source_); it != counts_->end() && --it->second == 0) counts_->erase(it);
  }

 private:
  std::map<boost::asio::ip::address, std::size_t>* counts_;
  boost::asio::ip::address source_;
};

// One server's control channel. Messages to it queue in the outbox, so that
// answers to its renewals and announcements of new flows never interleave.
struct Relay::ControlChannel {
  explicit ControlChannel(boost::asio::ip::tcp::socket s, boost::asio::ip::address from)
      : socket(std::move(s)), source(from) {}
  boost::asio::ip::tcp::socket socket;
  boost::asio::ip::address source;
  std::deque<std::string> outbox;
  bool writing = false;
  bool closed = false;
};

struct Relay::Reservation {
  Reservation(std::string n, names::PublicKey k, boost::asio::ip::tcp::acceptor a)
      : name(std::move(n)), key(k), acceptor(std::move(a)), expiry(acceptor.get_executor()) {}
  std::string name;
  names::PublicKey key;
  boost::asio::ip::tcp::acceptor acceptor;  // the public port clients dial
  std::string address;                      // "IP:PORT" of that port
  std::shared_ptr<ControlChannel> control;  // null while the server is away
  boost::asio::ip::address source;          // of the control channel that holds it
  boost::asio::steady_timer expiry;         // ttl after the last renewal
  std::uint64_t epoch = 0;                  // +1 each time a control channel takes it over
  std::size_t flows = 0;                    // waiting and spliced
  std::optional<SourceSlot> slot;           // counts against its control channel's source
  bool removed = false;
};

// A client's half, waiting for the server's (Join) until the timer fires.
struct Relay::WaitingFlow {
  WaitingFlow(boost::asio::ip::tcp::socket s, boost::asio::ip::address from)
      : client(std::move(s)), source(from), timer(client.get_executor()) {}
  boost::asio::ip::tcp::socket client;
  boost::asio::ip::address source;
  Token token{};
  std::uint64_t id = 0;
  std::uint64_t epoch = 0;
  std::weak_ptr<Reservation> reservation;
  boost::asio::steady_timer timer;
  std::optional<SourceSlot> slot;
  bool joined = false;
};

struct Relay::Flow {
  Flow(boost::asio::ip::tcp::socket c, boost::asio::ip::tcp::socket s) : client(std::move(c)), server(std::move(s)) {}
  boost::asio::ip::tcp::socket client;
  boost::asio::ip::tcp::socket server;
  std::weak_ptr<Reservation> reservation;
  std::uint64_t epoch = 0;
};

inline std::size_t count_of(const std::map<boost::asio::ip::address, std::size_t>& counts,
                            const boost::asio::ip::address& source) {
  const auto it = counts.find(source);
  return it == counts.end() ? 0 : it->second;
}

std::string endpoint_text(const boost::asio::ip::tcp::endpoint& endpoint);
boost::asio::ip::address source_address(const boost::asio::ip::address& address);

}  // namespace msocket::proxy
