#include "common/transfer_ends.hpp"

#include <stdexcept>

#include "testbed/files.hpp"

namespace msocket::mbench {

void fail_with_log(const std::string& what, const testbed::ChildProcess& end, const std::filesystem::path& log) {
  throw std::runtime_error(what + " (" + end.name() + " said: " + testbed::file_tail(log) + ")");
}

testbed::ChildExit wait_for_clean_exit(testbed::ChildProcess& end, const std::string& role,
                                       const std::filesystem::path& log) {
  auto exit = end.wait_for(std::chrono::seconds(10));
  if (!exit) fail_with_log("the " + role + " did not exit within 10 s of the end of the data", end, log);
  if (!exit->success()) fail_with_log("the " + role + " " + exit->describe(), end, log);
  return *exit;
}

}  // namespace msocket::mbench
