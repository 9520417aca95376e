// The programs mcat runs for -e and -c: started with a clean slate (only
// standard input, output and error open; every signal at its default, none
// blocked) and reaped when they exit, so a keep-open listener leaves no
// zombies behind.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/close_on_exec.hpp"

#include "msocket/error.hpp"

namespace msocket::relay {

namespace asio = boost::asio;

struct ChildSpec {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH
  std::vector<std::string> env;   // NAME=VALUE added to the environment
};

// Starts `spec` with `stdio` as its standard input and output and this
// process's standard error. Nothing else this process has open reaches the
// child, close-on-exec or not; signals this process ignores (mcat ignores
// SIGPIPE) or blocks are at their defaults and unblocked there, as a program
// started from a shell expects (glibc's posix_spawn leaves its own internal
// signals 32 and 33 ignored, which no program uses). Errors: the spawn's
// (e.g. no such file).
result<pid_t> spawn_child(const ChildSpec& spec, int stdio);

// Reaps the child `pid` once it has exited: at once if it has, else when it
// does, through a pidfd watched on `ex` (or a check every second where the
// kernel has no pidfd). Reaps nothing else: other children of the process
// are left to whoever started them. Does not block.
void reap_when_exited(asio::any_io_executor ex, pid_t pid);

// Sets FD_CLOEXEC (core/close_on_exec.hpp).
using msocket::set_close_on_exec;

}  // namespace msocket::relay
