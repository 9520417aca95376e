// "prefer" (mcat --prefer IFACE, MPTCP's backup subflows): the flowpaths of
// the policy it wraps, those from other interfaces as backups, which carry
// data only while no flowpath from the preferred interface can.
#include "paths/path_policy.hpp"

namespace msocket::paths {
namespace {

class Prefer final : public PathPolicy {
 public:
  Prefer(std::unique_ptr<PathPolicy> inner, std::string interface_name)
      : inner_(std::move(inner)), interface_(std::move(interface_name)) {}
  std::string_view name() const override { return "prefer"; }
  bool wants_extra_path(const LocalAddress& local, const boost::asio::ip::tcp::endpoint& remote) const override {
    return inner_->wants_extra_path(local, remote);
  }
  PathPriority priority(const std::optional<LocalAddress>& local) const override {
    return preferred_priority(interface_, local);
  }

 private:
  std::unique_ptr<PathPolicy> inner_;
  std::string interface_;
};

}  // namespace

std::unique_ptr<PathPolicy> make_prefer_policy(std::unique_ptr<PathPolicy> inner, std::string interface_name) {
  return std::make_unique<Prefer>(std::move(inner), std::move(interface_name));
}

}  // namespace msocket::paths
