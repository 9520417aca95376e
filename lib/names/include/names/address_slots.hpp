// Slots of a server resource (connections, held watches) counted per
// source address and in all, so that one source cannot take them all: when
// it holds its share, others still get theirs. Pure bookkeeping, on the
// server's thread.
#pragma once

#include <cstddef>
#include <map>
#include <utility>

#include <boost/asio/ip/address.hpp>

namespace msocket::names {

// An IPv4 client seen through an IPv6 socket ("::ffff:192.0.2.7") is the
// IPv4 address it is, so that it counts once whichever socket took it.
boost::asio::ip::address source_address(const boost::asio::ip::address& address);

class AddressSlots {
 public:
  enum class Refusal {
    none,
    address_full,  // this address holds `per_address` slots (said first, if both)
    total_full,    // all `total` slots are held
  };
  class Slot;

  // 0 for either limit: no limit of that kind.
  AddressSlots(std::size_t total, std::size_t per_address) : total_(total), per_address_(per_address) {}

  // A slot for `address`, given back when the Slot is destroyed; or why not.
  // The AddressSlots must outlive its slots.
  Refusal take(const boost::asio::ip::address& address, Slot& slot);

  std::size_t held() const { return held_; }
  std::size_t held_by(const boost::asio::ip::address& address) const;
  std::size_t total() const { return total_; }
  std::size_t per_address() const { return per_address_; }

 private:
  void give_back(const boost::asio::ip::address& address);

  std::size_t total_, per_address_;
  std::size_t held_ = 0;
  std::map<boost::asio::ip::address, std::size_t> by_address_;  // addresses holding slots only
};

// One slot held, or none; movable, given back on destruction.
class AddressSlots::Slot {
 public:
  Slot() = default;
  Slot(Slot&& other) noexcept : owner_(std::exchange(other.owner_, nullptr)), address_(other.address_) {}
  Slot& operator=(Slot&& other) noexcept;
  ~Slot() { release(); }
  explicit operator bool() const { return owner_ != nullptr; }
  void release();

 private:
  friend class AddressSlots;
  AddressSlots* owner_ = nullptr;
  boost::asio::ip::address address_;
};

}  // namespace msocket::names
