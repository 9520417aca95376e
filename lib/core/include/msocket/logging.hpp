// How an application sees what msocket logs. The library logs through spdlog
// loggers named "wire", "session", "paths", "transport", "names" and "tool";
// it installs no sink of its own, so an application that does nothing gets
// no output from it (not on stderr either).
#pragma once

namespace msocket {

// Gives every msocket logger the sinks and the level of spdlog's default
// logger as they are at the call (spdlog::set_default_logger first to send
// them elsewhere). Call it before starting msocket operations: the loggers'
// sinks are not changed under a running connection's feet. Cannot fail.
void use_default_log_sinks();

}  // namespace msocket
