// Options and statistics of an msocket connection, as the transport sees
// them: the public types (msocket/options.hpp, msocket/stats.hpp) under the
// names the transport code uses.
#pragma once

#include <chrono>

#include "msocket/options.hpp"
#include "msocket/stats.hpp"
#include "session/types.hpp"

namespace msocket::transport {

using namespace std::chrono_literals;

template <std::size_t Capacity>
using InlineText = msocket::InlineText<Capacity>;
using msocket::AddressList;
using msocket::kMaxSources;
// No member of Options may own memory: g++ 12 relocates coroutine and
// initiation arguments bitwise (see msocket/options.hpp).
using Options = msocket::Options;

using msocket::Migration;
using msocket::MigrationCause;
using msocket::PathStats;
using msocket::Stats;

}  // namespace msocket::transport
