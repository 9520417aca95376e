#include "names/address_slots.hpp"

namespace msocket::names {

namespace ip = boost::asio::ip;

ip::address source_address(const ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return ip::make_address_v4(ip::v4_mapped, address.to_v6());
  return address;
}

AddressSlots::Refusal AddressSlots::take(const ip::address& address, Slot& slot) {
  // An address over its own share is told so first, even when the total
  // is reached too: it is the one to back off.
  if (per_address_ && held_by(address) >= per_address_) return Refusal::address_full;
  if (total_ && held_ >= total_) return Refusal::total_full;
  ++by_address_[address];
  ++held_;
  slot.release();
  slot.owner_ = this;
  slot.address_ = address;
  return Refusal::none;
}

std::size_t AddressSlots::held_by(const ip::address& address) const {
  const auto found = by_address_.find(address);
  return found == by_address_.end() ? 0 : found->second;
}

void AddressSlots::give_back(const ip::address& address) {
  const auto found = by_address_.find(address);
  if (found == by_address_.end()) return;
  --held_;
  if (--found->second == 0) by_address_.erase(found);
}

AddressSlots::Slot& AddressSlots::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release();
    owner_ = std::exchange(other.owner_, nullptr);
    address_ = other.address_;
  }
  return *this;
}

void AddressSlots::Slot::release() {
  if (owner_) std::exchange(owner_, nullptr)->give_back(address_);
}

}  // namespace msocket::names
