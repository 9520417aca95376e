#include "core/log.hpp"

#include <mutex>

#include "msocket/logging.hpp"

namespace msocket::log {
namespace {

// A logger with no sink and its level off: silent, and cheap, until the
// application gives it sinks (use_default_log_sinks, send_logs_to_stderr).
// It is registered with spdlog, so spdlog::get(name) and spdlog's global
// set_level reach it too.
std::shared_ptr<spdlog::logger> named(const char* name) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(name)) return existing;
  auto logger = std::make_shared<spdlog::logger>(name);
  logger->set_level(spdlog::level::off);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace

std::shared_ptr<spdlog::logger> wire() { static auto l = named("wire"); return l; }
std::shared_ptr<spdlog::logger> session() { static auto l = named("session"); return l; }
std::shared_ptr<spdlog::logger> paths() { static auto l = named("paths"); return l; }
std::shared_ptr<spdlog::logger> transport() { static auto l = named("transport"); return l; }
std::shared_ptr<spdlog::logger> names() { static auto l = named("names"); return l; }
std::shared_ptr<spdlog::logger> proxy() { static auto l = named("proxy"); return l; }
std::shared_ptr<spdlog::logger> tool() { static auto l = named("tool"); return l; }

void for_each_logger(void (*apply)(spdlog::logger&)) {
  for (const auto& logger : {wire(), session(), paths(), transport(), names(), proxy(), tool()}) apply(*logger);
}

}  // namespace msocket::log

namespace msocket {

void use_default_log_sinks() {
  log::for_each_logger([](spdlog::logger& logger) {
    const auto& fallback = *spdlog::default_logger_raw();
    logger.sinks() = fallback.sinks();
    logger.set_level(fallback.level());
  });
}

}  // namespace msocket
