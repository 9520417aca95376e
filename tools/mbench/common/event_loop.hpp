// The event loop of a benchmark that measures in-process (names, handshake):
// one coroutine run to its end on a fresh io_context, stopped early by
// SIGINT or SIGTERM or a timeout.
#pragma once

#include <chrono>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

namespace msocket::mbench {

// Runs `task` on `context` (which runs nothing else) until it ends.
// Rethrows what `task` threw; throws testbed::Interrupted on SIGINT or
// SIGTERM and std::runtime_error naming `what` after `timeout`, leaving the
// suspended operations to the context's destruction.
void run_to_completion(boost::asio::io_context& context, boost::asio::awaitable<void> task, const std::string& what,
                       std::chrono::steady_clock::duration timeout = std::chrono::hours(24));

}  // namespace msocket::mbench
