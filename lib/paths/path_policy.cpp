#include "paths/path_policy.hpp"

namespace msocket::paths {

std::unique_ptr<PathPolicy> make_path_policy(const PathPolicyConfig& config) {
  std::unique_ptr<PathPolicy> policy;
  if (config.all_addresses)
    policy = make_all_addresses_policy();
  else if (!config.extra_sources.empty())
    policy = make_sources_policy(config.extra_sources);
  else
    policy = make_single_policy();
  if (config.prefer_interface.empty()) return policy;
  return make_prefer_policy(std::move(policy), config.prefer_interface);
}

PathPriority preferred_priority(std::string_view prefer_interface, const std::optional<LocalAddress>& local) {
  if (prefer_interface.empty()) return PathPriority::regular;
  return local && local->ifname == prefer_interface ? PathPriority::regular : PathPriority::backup;
}

}  // namespace msocket::paths
