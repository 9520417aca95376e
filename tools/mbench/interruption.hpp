// SIGINT and SIGTERM during a benchmark: the handler only records the
// signal; the benchmark's loops look at it, stop, and the destructors of
// what was set up (child processes, namespaces, temporary directories)
// clean up before mbench exits. Without this, Ctrl-C would leave network
// namespaces and a name server behind.
#pragma once

namespace msocket::mbench {

// Installs the handlers (without SA_RESTART, so a blocking poll or wait
// returns EINTR at once).
void catch_interruptions();
// True once SIGINT or SIGTERM arrived.
bool interrupted();
// Throws Interrupted (command_line.hpp) if interrupted().
void throw_if_interrupted();

}  // namespace msocket::mbench
