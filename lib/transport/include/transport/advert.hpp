// Our ADDRESSES frame (docs/protocol.md §2.8), as the path manager last
// decided it, until a flowpath has written it.
#pragma once

#include <optional>
#include <span>

#include "paths/decisions.hpp"
#include "wire/frame.hpp"

namespace msocket::transport {

class PendingAdvert {
 public:
  // To be written (again) by the next flowpath that writes.
  void set(const paths::Advertise& advert);
  // Writes the frame into `out` if one is due; returns its size, or 0.
  std::size_t take(std::span<std::byte> out);

 private:
  std::optional<wire::AddressesFrame> frame_;
  bool pending_ = false;
};

}  // namespace msocket::transport
