#include "transport/admission.hpp"

namespace msocket::transport {

boost::asio::ip::address source_of(const boost::asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped())
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  return address;
}

bool Admission::begin_handshake(const boost::asio::ip::address& source) {
  if (handshakes_ >= limits_.handshakes) return false;
  auto& from_source = per_source_[source_of(source)];
  if (from_source >= limits_.handshakes_per_source) return false;
  ++from_source;
  ++handshakes_;
  return true;
}

void Admission::end_handshake(const boost::asio::ip::address& source) {
  const auto it = per_source_.find(source_of(source));
  if (it == per_source_.end()) return;
  --handshakes_;
  if (--it->second == 0) per_source_.erase(it);
}

void Admission::bury(std::uint64_t conn_id, const session::Secret& secret, TimePoint now) {
  expire(now);
  // Full: the oldest goes, whatever its id (an id says nothing of its age).
  while (!burial_order_.empty() && tombstones_.size() >= limits_.tombstones) {
    tombstones_.erase(burial_order_.front());
    burial_order_.pop_front();
  }
  if (limits_.tombstones == 0) return;
  if (tombstones_.insert_or_assign(conn_id, Tombstone{secret, now + limits_.tombstone_time}).second)
    burial_order_.push_back(conn_id);
}

std::optional<session::Secret> Admission::tombstone(std::uint64_t conn_id, TimePoint now) {
  expire(now);
  const auto it = tombstones_.find(conn_id);
  if (it == tombstones_.end()) return std::nullopt;
  return it->second.secret;
}

void Admission::expire(TimePoint now) {
  while (!burial_order_.empty()) {
    const auto it = tombstones_.find(burial_order_.front());
    if (it != tombstones_.end() && it->second.forget_at > now) return;
    if (it != tombstones_.end()) tombstones_.erase(it);
    burial_order_.pop_front();
  }
}

}  // namespace msocket::transport
