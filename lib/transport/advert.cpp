#include "transport/advert.hpp"

#include "transport/handshake.hpp"
#include "wire/codec.hpp"

namespace msocket::transport {

void PendingAdvert::set(const paths::Advertise& advert) {
  wire::AddressesFrame frame;
  if (!advert.relays.empty()) {
    frame.relays = true;
    for (const auto& relay : advert.relays) {
      if (frame.count == wire::kMaxAddresses) break;
      frame.ports[frame.count] = relay.port();
      frame.ips[frame.count++] = to_wire(relay.address(), 0).ip;
    }
  } else {
    frame.port = advert.port;
    for (const auto& address : advert.addresses) {
      if (frame.count == wire::kMaxAddresses) break;
      frame.ips[frame.count++] = to_wire(address, 0).ip;
    }
  }
  frame_ = frame;
  pending_ = true;
}

std::size_t PendingAdvert::take(std::span<std::byte> out) {
  if (!pending_ || !frame_) return 0;
  const auto n = wire::encode(*frame_, out);
  if (n > 0) pending_ = false;
  return n;
}

}  // namespace msocket::transport
