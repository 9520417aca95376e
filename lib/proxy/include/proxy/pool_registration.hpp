// A relay in the pool of relays (docs/protocol.md §5.8): it registers its
// control endpoint in the name service under a name that begins with
// "mproxy.", signed with its own key, for a short lifetime that it renews
// (a heartbeat) with its load of the moment. Servers that pick their relays from the pool
// (mcat --proxy auto) list those names; a relay that dies leaves the pool
// when its record expires, one that drains or stops deletes it at once.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "msocket/types.hpp"
#include "names/client.hpp"
#include "names/record.hpp"

namespace msocket::proxy {

// Every relay of the pool is named with this prefix.
inline constexpr std::string_view kPoolPrefix = "mproxy.";

class PoolRegistration : public std::enable_shared_from_this<PoolRegistration> {
 public:
  // `name` begins with kPoolPrefix; `address` is the control endpoint as
  // servers dial it ("IP:PORT"); the record lives `ttl` and is renewed
  // every third of it, with what `load` says then (names::Record::load).
  PoolRegistration(boost::asio::any_io_executor ex, std::vector<names::ServerUrl> names, names::SigningKey key,
                   std::string name, std::string address, std::chrono::seconds ttl,
                   std::function<std::uint32_t()> load);

  void start();
  // Deletes the record and stops renewing it; `done` runs once the name
  // service answered (or failed to).
  void leave(std::function<void()> done);

 private:
  boost::asio::awaitable<void> run();
  boost::asio::awaitable<void> run_leave(std::function<void()> done);

  boost::asio::any_io_executor ex_;
  names::Client client_;
  names::SigningKey key_;
  std::string name_;
  std::string address_;
  std::chrono::seconds ttl_;
  std::function<std::uint32_t()> load_;
  boost::asio::steady_timer heartbeat_;
  bool leaving_ = false;
  bool registered_ = false;
};

}  // namespace msocket::proxy
