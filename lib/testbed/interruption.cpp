#include "testbed/interruption.hpp"

#include <algorithm>
#include <csignal>
#include <thread>

namespace msocket::testbed {

namespace {

volatile std::sig_atomic_t interruption_signal = 0;

void record_signal(int signal_number) { interruption_signal = signal_number; }

}  // namespace

void catch_interruptions() {
  struct sigaction action {};
  action.sa_handler = record_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking calls return EINTR
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

bool interrupted() { return interruption_signal != 0; }

void throw_if_interrupted() {
  if (interrupted()) throw Interrupted();
}

void pause_for(std::chrono::milliseconds duration) {
  using namespace std::chrono_literals;
  const auto until = std::chrono::steady_clock::now() + duration;
  for (;;) {
    throw_if_interrupted();
    const auto left = until - std::chrono::steady_clock::now();
    if (left <= 0ms) return;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(left, 20ms));
  }
}

}  // namespace msocket::testbed
