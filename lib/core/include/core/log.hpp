// Named spdlog loggers, one per module. The library never installs sinks or
// sets levels: until the application chooses (msocket/logging.hpp, or the
// tools' send_logs_to_stderr below), its loggers have no sink and say nothing.
#pragma once

#include <memory>

#include <spdlog/spdlog.h>

namespace msocket::log {

std::shared_ptr<spdlog::logger> wire();
std::shared_ptr<spdlog::logger> session();
std::shared_ptr<spdlog::logger> paths();
std::shared_ptr<spdlog::logger> transport();
std::shared_ptr<spdlog::logger> names();
std::shared_ptr<spdlog::logger> proxy();  // relays: mproxy and the reservations a listener keeps
std::shared_ptr<spdlog::logger> tool();

// Calls `apply` on every logger above (creating them first), so that a
// choice of sinks reaches all of them.
void for_each_logger(void (*apply)(spdlog::logger&));

// The application's choice, made by the tools (mcat, mnamed, mbench), never
// by the library: every logger, spdlog's default one included, writes to
// stderr with a short pattern, at a level from the tool's -v count:
// 0 = warnings only, 1 = info (-v), 2 = debug (-vv), 3+ = trace.
void send_logs_to_stderr(int verbosity);

}  // namespace msocket::log
