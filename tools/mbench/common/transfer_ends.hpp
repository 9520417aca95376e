// How the end of a program a benchmark measures is checked once the data
// is through (throughput/transfer.cpp, multipath/pattern_download.cpp):
// each must exit, with status 0, soon after; a failure names what the
// program said last.
#pragma once

#include <filesystem>
#include <string>

#include "testbed/child_process.hpp"

namespace msocket::mbench {

// Throws std::runtime_error: `what`, then what `end` said last in `log`.
[[noreturn]] void fail_with_log(const std::string& what, const testbed::ChildProcess& end,
                                const std::filesystem::path& log);
// Waits up to 10 s for `end` (the `role` of a transfer) to exit once the
// data is through; throws (fail_with_log) if it does not, or not with 0.
testbed::ChildExit wait_for_clean_exit(testbed::ChildProcess& end, const std::string& role,
                                       const std::filesystem::path& log);

}  // namespace msocket::mbench
