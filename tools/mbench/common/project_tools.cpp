#include "common/project_tools.hpp"

#include <unistd.h>

#include <stdexcept>

#include "testbed/child_process.hpp"

namespace fs = std::filesystem;

namespace msocket::mbench {

fs::path find_project_tool(const std::string& name, const std::optional<std::string>& explicit_path) {
  if (explicit_path) {
    if (::access(explicit_path->c_str(), X_OK) != 0)
      throw std::runtime_error("--" + name + " " + *explicit_path + ": not an executable file");
    return *explicit_path;
  }
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (const auto& candidate : {self / name, self.parent_path() / name / name})
    if (!ec && ::access(candidate.c_str(), X_OK) == 0) return candidate;
  if (auto found = testbed::find_in_path(name)) return *found;
  throw std::runtime_error("cannot find " + name + " next to mbench (" + self.string() + ") or in PATH; give --" +
                           name + " PATH");
}

fs::path self_path() {
  std::error_code ec;
  const auto self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find mbench itself (/proc/self/exe): " + ec.message());
  return self;
}

std::vector<std::string> link_emulator_command() { return {self_path().string(), "link"}; }

testbed::TestbedNames testbed_names() { return testbed::TestbedNames::for_this_process("mbench", "mb"); }

}  // namespace msocket::mbench
