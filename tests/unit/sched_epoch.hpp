// The scheduler tests' epoch: the time their scenarios start at.
#pragma once

#include "msocket/types.hpp"

namespace msocket::sched {
inline constexpr TimePoint t0{};
}  // namespace msocket::sched
