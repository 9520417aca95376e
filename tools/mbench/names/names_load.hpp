// Building blocks of the name service benchmark: a writer that owns one
// name and puts ever newer signed records of it, and a join of coroutines
// that run at once (the concurrent clients).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "names/client.hpp"
#include "names/record.hpp"

namespace msocket::mbench {

using SteadyClock = std::chrono::steady_clock;

// Milliseconds between two instants, as a double (for latencies).
inline double milliseconds_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

// One name and its owner's key. Each put is a new version (above the last
// and no lower than the time in microseconds, as names::publish does), signed
// here and stored with one PUT: an update costs one round trip, no lookup.
class NameWriter {
 public:
  explicit NameWriter(std::string name) : name_(std::move(name)), key_(names::generate_signing_key()) {}

  const std::string& name() const { return name_; }
  const names::SigningKey& key() const { return key_; }
  std::uint64_t version() const { return version_; }

  // Puts the next version (the first call registers the name). Throws
  // std::runtime_error if the server refuses it or the request fails.
  boost::asio::awaitable<void> put_next(names::Client& client);

 private:
  std::string name_;
  names::SigningKey key_;
  std::uint64_t version_ = 0;
  std::uint64_t address_counter_ = 0;  // so every version differs in content too
};

// Runs `tasks` at once on the current executor and returns when all have
// ended; rethrows the first exception one of them threw.
boost::asio::awaitable<void> join_all(std::vector<boost::asio::awaitable<void>> tasks);

}  // namespace msocket::mbench
