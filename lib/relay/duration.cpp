#include "relay/duration.hpp"

#include <charconv>
#include <cmath>

namespace msocket::relay {

std::optional<Duration> parse_duration(std::string_view text) {
  double value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr == text.data() || !(value >= 0) || !std::isfinite(value)) return std::nullopt;
  const std::string_view suffix(ptr, static_cast<std::size_t>(end - ptr));
  double seconds;
  if (suffix.empty() || suffix == "s") seconds = value;
  else if (suffix == "ms") seconds = value / 1000;
  else if (suffix == "m") seconds = value * 60;
  else if (suffix == "h") seconds = value * 3600;
  else return std::nullopt;
  if (seconds > 1e9) return std::nullopt;  // beyond any sensible timeout; keeps the cast defined
  return std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

}  // namespace msocket::relay
