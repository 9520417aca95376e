// Path policies (DESIGN.md, layer 4): which local addresses carry a
// flowpath of a connection besides its first, and with which priority.
// Like the schedulers of lib/sched, each policy is one file and is made by
// name (make_path_policy); the path manager asks, the policy decides,
// nothing more. Pure: no sockets, no clock.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "msocket/types.hpp"
#include "paths/local_addresses.hpp"

namespace msocket::paths {

class PathPolicy {
 public:
  virtual ~PathPolicy() = default;
  virtual std::string_view name() const = 0;
  // Whether a connection that reached `remote` wants a flowpath from `local`
  // too (multipath, paper §III-C).
  virtual bool wants_extra_path(const LocalAddress& local, const boost::asio::ip::tcp::endpoint& remote) const = 0;
  // The priority of a flowpath from `local` (nullopt: an address we do not
  // know, e.g. gone since): a backup path carries data only while no
  // regular one can (SETUP's backup flag, docs/protocol.md §2.1).
  virtual PathPriority priority(const std::optional<LocalAddress>& local) const { (void)local; return PathPriority::regular; }
};

// What selects the policy: mcat's -s (given again), --paths all and --prefer.
struct PathPolicyConfig {
  std::vector<boost::asio::ip::address> extra_sources;  // a flowpath from each of these
  bool all_addresses = false;    // a flowpath from every usable address
  std::string prefer_interface;  // when set, flowpaths from other interfaces are backups
};

// "single" (only the first flowpath), "sources" (one from each extra
// source), "all-addresses"; wrapped by "prefer" when prefer_interface is set.
std::unique_ptr<PathPolicy> make_path_policy(const PathPolicyConfig& config);

// The policies, for make_path_policy and tests (one file each).
std::unique_ptr<PathPolicy> make_single_policy();
std::unique_ptr<PathPolicy> make_sources_policy(std::vector<boost::asio::ip::address> sources);
std::unique_ptr<PathPolicy> make_all_addresses_policy();
std::unique_ptr<PathPolicy> make_prefer_policy(std::unique_ptr<PathPolicy> inner, std::string interface_name);

// The priority --prefer gives a flowpath from `local`: regular on the
// preferred interface, backup elsewhere (and for an address no interface
// has); regular for all when `prefer_interface` is empty.
PathPriority preferred_priority(std::string_view prefer_interface, const std::optional<LocalAddress>& local);

}  // namespace msocket::paths
