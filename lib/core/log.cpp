#include "core/log.hpp"

#include <mutex>

#include <spdlog/sinks/stdout_sinks.h>

namespace msocket::log {
namespace {

std::shared_ptr<spdlog::logger> named(const char* name) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  if (auto existing = spdlog::get(name)) return existing;
  static auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto logger = std::make_shared<spdlog::logger>(name, sink);
  logger->set_level(spdlog::default_logger_raw()->level());
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace

std::shared_ptr<spdlog::logger> wire() { static auto l = named("wire"); return l; }
std::shared_ptr<spdlog::logger> session() { static auto l = named("session"); return l; }
std::shared_ptr<spdlog::logger> paths() { static auto l = named("paths"); return l; }
std::shared_ptr<spdlog::logger> transport() { static auto l = named("transport"); return l; }
std::shared_ptr<spdlog::logger> names() { static auto l = named("names"); return l; }
std::shared_ptr<spdlog::logger> tool() { static auto l = named("tool"); return l; }

void set_verbosity(int level) {
  auto lvl = level <= 0   ? spdlog::level::warn
             : level == 1 ? spdlog::level::info
             : level == 2 ? spdlog::level::debug
                          : spdlog::level::trace;
  // Touch every logger so it exists before the level is applied to all.
  wire(); session(); paths(); transport(); names(); tool();
  spdlog::set_level(lvl);
  spdlog::set_pattern("%^%n: %l: %v%$");
  spdlog::apply_all([](const std::shared_ptr<spdlog::logger>& l) {
    l->set_pattern("%H:%M:%S.%e %n %l: %v");
  });
}

}  // namespace msocket::log
