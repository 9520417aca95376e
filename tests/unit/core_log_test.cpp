#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include <spdlog/sinks/ostream_sink.h>

#include "core/log.hpp"
#include "msocket/logging.hpp"

namespace {

// Runs `body` with file descriptor 2 sent to a temporary file; gives what
// was written there.
template <class Body>
std::string stderr_of(Body body) {
  std::fflush(stderr);
  char path[] = "/tmp/msocket-log-test-XXXXXX";
  const int file = ::mkstemp(path);
  REQUIRE(file >= 0);
  const int saved = ::dup(2);
  ::dup2(file, 2);
  body();
  std::fflush(stderr);
  ::dup2(saved, 2);
  ::close(saved);
  ::close(file);
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  ::unlink(path);
  return text.str();
}

// Back to what an application that chose nothing has.
void silence_loggers() {
  msocket::log::for_each_logger([](spdlog::logger& logger) {
    logger.sinks().clear();
    logger.set_level(spdlog::level::off);
  });
}

}  // namespace

TEST_CASE("an application that sets no sink gets nothing from the library's loggers", "[core]") {
  silence_loggers();
  const auto log_some = [] {
    msocket::log::transport()->error("session lost conn=1");
    msocket::log::names()->warn("bad record");
    msocket::log::session()->info("session up");
  };
  CHECK(stderr_of(log_some).empty());
  // Nor when it raises spdlog's levels: a level is not a sink.
  spdlog::set_level(spdlog::level::trace);
  CHECK(stderr_of(log_some).empty());
  spdlog::set_level(spdlog::level::info);
  silence_loggers();
}

TEST_CASE("use_default_log_sinks sends the library's logs where the application's default logger writes",
          "[core]") {
  std::ostringstream out;
  const auto previous = spdlog::default_logger();
  auto mine = std::make_shared<spdlog::logger>("application", std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
  mine->set_level(spdlog::level::info);
  spdlog::set_default_logger(mine);
  msocket::use_default_log_sinks();
  msocket::log::transport()->info("session up conn=2");
  msocket::log::paths()->debug("below the application's level");
  spdlog::set_default_logger(previous);
  silence_loggers();
  CHECK(out.str().find("session up conn=2") != std::string::npos);
  CHECK(out.str().find("below the application's level") == std::string::npos);
}
