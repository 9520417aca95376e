// What mbench's testbeds do with network namespaces (`ip netns`): create
// them and remove them again, run programs and ip(8) batches inside them,
// and open a file of theirs. Errors throw std::runtime_error: tool code.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace msocket::mbench {

// A command line run inside a namespace (`ip netns exec NS ...`); unchanged
// without one.
std::vector<std::string> in_namespace(const std::string& ns, std::vector<std::string> argv);
std::vector<std::string> in_namespace(const std::optional<std::string>& ns, std::vector<std::string> argv);

// The namespaces of one testbed. Deleting a namespace takes its devices
// with it (and the other end of a veth pair), so this is all the cleanup
// most testbeds need; it runs from the destructor, on failure too.
class OwnedNamespaces {
 public:
  OwnedNamespaces() = default;
  ~OwnedNamespaces() { remove(); }
  OwnedNamespaces(const OwnedNamespaces&) = delete;
  OwnedNamespaces& operator=(const OwnedNamespaces&) = delete;

  // Creates `name` with its loopback up. Throws if ip(8) fails.
  void add(const std::string& name);
  // Deletes them all, newest last; a namespace that will not go is logged
  // (a warning), not thrown: this runs while unwinding.
  void remove();

 private:
  std::vector<std::string> names_;
};

// Runs `commands` (ip(8) commands without the leading "ip") in namespace
// `ns` as one `ip -batch`, written to `batch_file` first. Throws if one fails.
void run_ip_batch(const std::string& ns, const std::vector<std::string>& commands,
                  const std::filesystem::path& batch_file);

// Opens `file` read-only from inside namespace `ns`: a /proc/thread-self/net
// file keeps showing the opener's namespace after it has left, so it can be
// read from anywhere. Throws if the namespace or the file cannot be opened.
int open_in_namespace(const std::string& ns, const char* file);

}  // namespace msocket::mbench
