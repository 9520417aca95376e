// The byte counters of network interfaces, as /proc/net/dev lists them: what
// an interface really carried (headers, acknowledgements, retransmissions
// included), which is what a radio pays for and what a path's share is
// measured in. Pure: the text comes from the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace msocket::testbed {

struct InterfaceBytes {
  std::uint64_t received = 0;
  std::uint64_t sent = 0;
};

// The counters of `interface` in the text of /proc/net/dev; nullopt if the
// interface is not listed or its line is malformed.
std::optional<InterfaceBytes> parse_net_dev(std::string_view text, std::string_view interface);

}  // namespace msocket::testbed
