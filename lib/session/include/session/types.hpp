// Configuration of the session layer: the public msocket::SessionConfig
// (msocket/session_config.hpp) under the names the session code uses. The
// shared ids and clock are in msocket/types.hpp.
#pragma once

#include <chrono>

#include "msocket/session_config.hpp"
#include "msocket/types.hpp"

namespace msocket::session {

using namespace std::chrono_literals;

using Config = msocket::SessionConfig;
using SchedulerPolicy = msocket::SchedulerPolicy;
using msocket::kSchedulerPolicyNames;
using msocket::parse_scheduler_policy;
using msocket::to_string;

}  // namespace msocket::session
