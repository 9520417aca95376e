#include "testbed/net_dev.hpp"

#include <algorithm>
#include <charconv>

namespace msocket::testbed {

namespace {

std::optional<std::uint64_t> next_number(std::string_view& text) {
  const auto start = text.find_first_not_of(' ');
  if (start == std::string_view::npos) return std::nullopt;
  text.remove_prefix(start);
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc()) return std::nullopt;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return value;
}

}  // namespace

// "  eth0: RXBYTES RXPACKETS errs drop fifo frame compressed multicast TXBYTES ..."
std::optional<InterfaceBytes> parse_net_dev(std::string_view text, std::string_view interface) {
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto name = line.substr(0, colon);
    name.remove_prefix(std::min(name.find_first_not_of(' '), name.size()));
    if (name != interface) continue;
    line.remove_prefix(colon + 1);
    InterfaceBytes bytes;
    std::optional<std::uint64_t> field;
    for (int column = 0; column < 9; ++column) {  // received bytes is column 0, sent bytes column 8
      if (!(field = next_number(line))) return std::nullopt;
      if (column == 0) bytes.received = *field;
      if (column == 8) bytes.sent = *field;
    }
    return bytes;
  }
  return std::nullopt;
}

}  // namespace msocket::testbed
