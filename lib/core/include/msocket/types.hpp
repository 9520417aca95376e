// The vocabulary every layer shares: the clock, ids, roles and path
// priorities. No code, no dependencies beyond the standard library.
#pragma once

#include <chrono>
#include <cstdint>

namespace msocket {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = Clock::duration;

// Ids are distinct types so a path id can never be passed as a connection id.
enum class PathId : std::uint32_t {};
enum class ConnId : std::uint64_t {};

inline std::uint32_t to_int(PathId p) { return static_cast<std::uint32_t>(p); }
inline std::uint64_t to_int(ConnId c) { return static_cast<std::uint64_t>(c); }

enum class Role { client, server };

// A backup flowpath carries data only while no regular one can (SETUP's
// backup flag, docs/protocol.md §2.1; MPTCP's backup subflows).
enum class PathPriority : std::uint8_t { regular, backup };

}  // namespace msocket
