// What testbeds do with network namespaces (`ip netns`): name them so that
// two runs never collide, create them and remove them again, run programs
// and ip(8) batches inside them. Errors throw std::runtime_error (files.hpp
// says why). Creating and removing needs root; naming and command lines do
// not.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace msocket::testbed {

// A command line run inside a namespace (`ip netns exec NS ...`); unchanged
// without one.
std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> argv);
std::vector<std::string> in_namespace(const std::optional<std::string>& ns, std::vector<std::string> argv);

// The names of what a testbed creates, unique to one process: namespaces
// "PREFIX-ID-ROLE" (e.g. mbench-4242-cli) and devices "SHORTID" plus a
// letter (mb4242c; a device name has at most 15 characters).
struct TestbedNames {
  std::string namespace_prefix;  // "mbench"
  std::string device_prefix;     // "mb"
  std::string id;                // the process id, by default

  // The names of this process (the id is its pid).
  static TestbedNames for_this_process(std::string namespace_prefix, std::string device_prefix);
  std::string namespace_name(const std::string& role) const;
  std::string device_name(char letter) const;
};

// `ip netns add NAME` and bringing its loopback up.
std::vector<std::vector<std::string>> namespace_add_commands(const std::string& name);

// The namespaces of one testbed. Deleting a namespace takes its devices
// with it (and the other end of a veth pair), so this is all the cleanup
// most testbeds need; it runs from the destructor, on failure too.
class OwnedNamespaces {
 public:
  OwnedNamespaces() = default;
  ~OwnedNamespaces() { remove(); }
  OwnedNamespaces(const OwnedNamespaces&) = delete;
  OwnedNamespaces& operator=(const OwnedNamespaces&) = delete;

  // Creates `name` with its loopback up. Throws if ip(8) fails; a namespace
  // that was created is owned (and removed) even then.
  void add(const std::string& name);
  // Deletes them all, oldest first; a namespace that will not go is logged
  // (a warning), not thrown: this runs while unwinding.
  void remove();
  // What remove() would delete.
  const std::vector<std::string>& names() const { return names_; }

 private:
  std::vector<std::string> names_;
};

// What the line topologies (two_path_testbed.hpp, moving_address_testbed.hpp)
// are built on: three namespaces, client -- router -- server, named ROLE
// "cli", "rtr" and "srv" and created in that order once this process is
// found able to (require_root_and_ip with `who` and `why_root`). `prepare`
// runs on each right after it is made, before any device exists in it. A
// topology's own members go first when it is destroyed (the programs that
// run in the namespaces), then the namespaces, with their devices.
class LineTestbed {
 public:
  LineTestbed(const LineTestbed&) = delete;
  LineTestbed& operator=(const LineTestbed&) = delete;

  const std::string& client_namespace() const { return client_; }
  const std::string& router_namespace() const { return router_; }
  const std::string& server_namespace() const { return server_; }

 protected:
  LineTestbed(const TestbedNames& names, const std::string& who, const std::string& why_root,
              const std::function<void(const std::string&)>& prepare = {});
  ~LineTestbed() = default;

 private:
  std::string client_, router_, server_;
  OwnedNamespaces owned_;
};

// `ip link add A netns NS_A type veth peer name B netns NS_B`.
std::vector<std::string> veth_pair_command(const std::string& namespace_a, const std::string& device_a,
                                           const std::string& namespace_b, const std::string& device_b);
// Turns IPv4 forwarding on in `ns`.
void enable_forwarding(const std::string& ns);

// `commands` (ip(8) commands without the leading "ip") as the text of a batch file.
std::string ip_batch_text(const std::vector<std::string>& commands);
// Runs `commands` in namespace `ns` as one `ip -batch`, written to
// `batch_file` first; returns the time just before ip(8) was started (a
// move's clock starts there). Throws if one command fails.
std::chrono::system_clock::time_point run_ip_batch(const std::string& ns, const std::vector<std::string>& commands,
                                                   const std::filesystem::path& batch_file);

// Throws std::runtime_error unless this process is root ("WHO needs root:
// WHY_ROOT") and ip(8) is installed ("WHO needs ip(8) from iproute2, ...").
void require_root_and_ip(const std::string& who, const std::string& why_root);

}  // namespace msocket::testbed
