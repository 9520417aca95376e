// Time arguments as ncat takes them: "500ms", "2s", "1.5m", "1h"; a bare
// number is seconds.
#pragma once

#include <optional>
#include <string_view>

#include "msocket/types.hpp"

namespace msocket::relay {

// nullopt for anything else (empty, negative, unknown suffix, trailing junk).
std::optional<Duration> parse_duration(std::string_view text);

}  // namespace msocket::relay
