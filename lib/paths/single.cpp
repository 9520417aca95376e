// "single": the connection's first flowpath and nothing more; a move
// replaces it (client mobility) but no other is ever added.
#include "paths/path_policy.hpp"

namespace msocket::paths {
namespace {

class Single final : public PathPolicy {
 public:
  std::string_view name() const override { return "single"; }
  bool wants_extra_path(const LocalAddress&, const boost::asio::ip::tcp::endpoint&) const override { return false; }
};

}  // namespace

std::unique_ptr<PathPolicy> make_single_policy() { return std::make_unique<Single>(); }

}  // namespace msocket::paths
