// SIGINT and SIGTERM while a testbed is up: the handler only records the
// signal; the loops of whoever built the testbed look at it and stop, and
// the destructors of what was set up (child processes, namespaces,
// temporary directories) clean up before the program exits. Without this,
// Ctrl-C would leave network namespaces and servers behind.
#pragma once

#include <chrono>
#include <stdexcept>

namespace msocket::testbed {

// SIGINT or SIGTERM ended the work; what it had set up is gone.
struct Interrupted : std::runtime_error {
  Interrupted() : std::runtime_error("interrupted") {}
};

// Installs the handlers (without SA_RESTART, so a blocking poll or wait
// returns EINTR at once).
void catch_interruptions();
// True once SIGINT or SIGTERM arrived (after catch_interruptions).
bool interrupted();
// Throws Interrupted if interrupted().
void throw_if_interrupted();
// Sleeps for `duration` in steps of at most 20 ms; throws Interrupted as
// soon as a signal has arrived.
void pause_for(std::chrono::milliseconds duration);

}  // namespace msocket::testbed
