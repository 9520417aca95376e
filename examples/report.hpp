// What the examples pass to co_spawn: a coroutine that ended with an
// exception is reported on stderr instead of being dropped.
#pragma once

#include <cstdio>
#include <exception>

// A completion handler for co_spawn of an awaitable<void>, naming `program`.
struct report_exception {
  const char* program;

  void operator()(std::exception_ptr error) const {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s: %s\n", program, e.what());
    }
  }
};
