// "all-addresses" (mcat --paths all): a flowpath from every local address
// that can reach the peer, as addresses come and go.
#include "paths/address_choice.hpp"
#include "paths/path_policy.hpp"

namespace msocket::paths {
namespace {

class AllAddresses final : public PathPolicy {
 public:
  std::string_view name() const override { return "all-addresses"; }
  bool wants_extra_path(const LocalAddress& local, const boost::asio::ip::tcp::endpoint& remote) const override {
    return usable_toward(local.address, remote.address());
  }
};

}  // namespace

std::unique_ptr<PathPolicy> make_all_addresses_policy() { return std::make_unique<AllAddresses>(); }

}  // namespace msocket::paths
