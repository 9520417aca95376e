// Named spdlog loggers, one per module. The library never installs sinks or
// sets levels: tools do that (see set_verbosity).
#pragma once

#include <memory>

#include <spdlog/spdlog.h>

namespace msocket::log {

std::shared_ptr<spdlog::logger> wire();
std::shared_ptr<spdlog::logger> session();
std::shared_ptr<spdlog::logger> paths();
std::shared_ptr<spdlog::logger> transport();
std::shared_ptr<spdlog::logger> names();
std::shared_ptr<spdlog::logger> tool();

// For tools: 0 = warnings only, 1 = info (-v), 2 = debug (-vv), 3+ = trace.
// Every logger writes to stderr with a short pattern.
void set_verbosity(int level);

}  // namespace msocket::log
