// The tools' choice of where logs go (core/log.hpp): stderr. It lives beside
// the loggers so that the three tools share it; the library never calls it.
#include <spdlog/sinks/stdout_sinks.h>

#include "core/log.hpp"

namespace msocket::log {

void send_logs_to_stderr(int verbosity) {
  const auto level = verbosity <= 0   ? spdlog::level::warn
                     : verbosity == 1 ? spdlog::level::info
                     : verbosity == 2 ? spdlog::level::debug
                                      : spdlog::level::trace;
  static const auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  for_each_logger([](spdlog::logger& logger) { logger.sinks() = {sink}; });
  spdlog::set_level(level);
  spdlog::set_pattern("%^%n: %l: %v%$");
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& logger) {
    logger->set_pattern("%H:%M:%S.%e %n %l: %v");
  });
}

}  // namespace msocket::log
