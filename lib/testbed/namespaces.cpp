#include "testbed/namespaces.hpp"

#include <unistd.h>

#include <stdexcept>

#include "core/log.hpp"
#include "testbed/child_process.hpp"
#include "testbed/files.hpp"

namespace msocket::testbed {

std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
  return argv;
}

std::vector<std::string> in_namespace(const std::optional<std::string>& ns, std::vector<std::string> argv) {
  return ns ? in_namespace(*ns, std::move(argv)) : argv;
}

TestbedNames TestbedNames::for_this_process(std::string namespace_prefix, std::string device_prefix) {
  return {std::move(namespace_prefix), std::move(device_prefix), std::to_string(::getpid())};
}

std::string TestbedNames::namespace_name(const std::string& role) const {
  return namespace_prefix + "-" + id + "-" + role;
}

std::string TestbedNames::device_name(char letter) const { return device_prefix + id + letter; }

std::vector<std::vector<std::string>> namespace_add_commands(const std::string& name) {
  return {{"ip", "netns", "add", name}, {"ip", "-n", name, "link", "set", "lo", "up"}};
}

void OwnedNamespaces::add(const std::string& name) {
  const auto commands = namespace_add_commands(name);
  run_command(commands.front());
  names_.push_back(name);
  for (std::size_t i = 1; i < commands.size(); ++i) run_command(commands[i]);
}

void OwnedNamespaces::remove() {
  for (const auto& ns : names_) {
    try {
      run_command({"ip", "netns", "del", ns});
    } catch (const std::exception& e) {
      log::tool()->warn("could not remove namespace {}: {}", ns, e.what());
    }
  }
  names_.clear();
}

LineTestbed::LineTestbed(const TestbedNames& names, const std::string& who, const std::string& why_root,
                         const std::function<void(const std::string&)>& prepare)
    : client_(names.namespace_name("cli")), router_(names.namespace_name("rtr")), server_(names.namespace_name("srv")) {
  require_root_and_ip(who, why_root);
  for (const auto* ns : {&client_, &router_, &server_}) {
    owned_.add(*ns);
    if (prepare) prepare(*ns);
  }
}

std::vector<std::string> veth_pair_command(const std::string& namespace_a, const std::string& device_a,
                                           const std::string& namespace_b, const std::string& device_b) {
  return {"ip", "link", "add", device_a, "netns", namespace_a, "type", "veth", "peer", "name", device_b, "netns",
          namespace_b};
}

void enable_forwarding(const std::string& ns) { run_command(in_namespace(ns, {"sysctl", "-qw", "net.ipv4.ip_forward=1"})); }

std::string ip_batch_text(const std::vector<std::string>& commands) {
  std::string text;
  for (const auto& c : commands) text += c + "\n";
  return text;
}

std::chrono::system_clock::time_point run_ip_batch(const std::string& ns, const std::vector<std::string>& commands,
                                                   const std::filesystem::path& batch_file) {
  write_file(batch_file, ip_batch_text(commands));
  const auto started = std::chrono::system_clock::now();
  run_command({"ip", "-n", ns, "-batch", batch_file.string()});
  return started;
}

void require_root_and_ip(const std::string& who, const std::string& why_root) {
  if (::geteuid() != 0) throw std::runtime_error(who + " needs root: " + why_root);
  if (!find_in_path("ip")) throw std::runtime_error(who + " needs ip(8) from iproute2, which is not installed");
}

}  // namespace msocket::testbed
