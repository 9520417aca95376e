#include "testbed/link_emulator_process.hpp"

#include <cstdio>

#include "core/log.hpp"
#include "testbed/files.hpp"
#include "testbed/log_lines.hpp"

namespace msocket::testbed {

std::string emulator_delay_text(std::chrono::microseconds delay) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3fms", static_cast<double>(delay.count()) / 1000);
  return text;
}

std::vector<std::string> link_emulator_arguments(const std::vector<std::string>& command, const EmulatedLink& link) {
  auto argv = command;
  argv.insert(argv.end(), {"-v", "--ns-a", link.a.netns, "--addr-a", link.a.address, "--ns-b", link.b.netns, "--addr-b",
                           link.b.address, "--dev-a", link.a.device, "--dev-b", link.b.device, "--delay",
                           emulator_delay_text(link.one_way_delay)});
  if (link.rate) argv.insert(argv.end(), {"--rate", std::to_string(*link.rate)});
  return argv;
}

LinkEmulatorProcess::LinkEmulatorProcess(const std::vector<std::string>& argv, std::filesystem::path log)
    : log_(std::move(log)), process_(std::make_unique<ChildProcess>(argv, ChildStreams{-1, -1, log_})) {
  wait_for_lines(log_, "link up: ", 1, *process_, std::chrono::seconds(10));
}

void LinkEmulatorProcess::stop() {
  if (!process_) return;
  const auto exit = process_->stop();
  if (!exit.success()) log::tool()->warn("the link emulator {}: {}", exit.describe(), file_tail(log_));
  process_.reset();
}

}  // namespace msocket::testbed
