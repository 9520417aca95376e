#include "interruption.hpp"

#include <csignal>

#include "command_line.hpp"

namespace msocket::mbench {

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

}  // namespace msocket::mbench
