// The user-space link emulator (tun_link.hpp) as a child process of a
// testbed: a program that takes the options of `mbench link` (--ns-a,
// --addr-a, --dev-a, the same for B, --delay, --rate), creates a TUN device
// in each of two namespaces and forwards between them until SIGTERM, when
// its devices vanish with it. A process of its own, so that it can forward
// under SCHED_FIFO while the programs under test do not.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "testbed/child_process.hpp"
#include "testbed/link_model.hpp"
#include "testbed/tun_link.hpp"

namespace msocket::testbed {

// One emulated link: the same delay each way, and a rate unless unlimited.
struct EmulatedLink {
  LinkEnd a, b;
  std::chrono::microseconds one_way_delay{};
  std::optional<BitsPerSecond> rate;  // nullopt: the emulator's default (unlimited)
};

// "72.500ms": the emulator takes milliseconds with a fraction, not "us".
std::string emulator_delay_text(std::chrono::microseconds delay);

// `command` (e.g. {"/usr/bin/mbench", "link"}) followed by -v and the
// options that make `link`.
std::vector<std::string> link_emulator_arguments(const std::vector<std::string>& command, const EmulatedLink& link);

class LinkEmulatorProcess {
 public:
  // Starts `argv` (from link_emulator_arguments, perhaps run inside a
  // namespace) with its stderr in `log`, and waits up to 10 s for its
  // "link up: " line. Throws std::runtime_error, with the log's tail, if it
  // exits or stays silent; Interrupted on SIGINT or SIGTERM.
  LinkEmulatorProcess(const std::vector<std::string>& argv, std::filesystem::path log);
  // Stops it (see stop()).
  ~LinkEmulatorProcess() { stop(); }
  LinkEmulatorProcess(const LinkEmulatorProcess&) = delete;
  LinkEmulatorProcess& operator=(const LinkEmulatorProcess&) = delete;

  // SIGTERM; an emulator that does not exit with status 0 is logged (a
  // warning), not thrown: this runs while unwinding. Idempotent.
  void stop();
  // The emulator's process (for its CPU time); -1 once stopped.
  pid_t pid() const { return process_ ? process_->pid() : -1; }

 private:
  std::filesystem::path log_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace msocket::testbed
