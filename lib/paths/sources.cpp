// "sources": besides the first flowpath, one from each address named (mcat's
// -s given again), while that address exists.
#include <algorithm>

#include "paths/address_choice.hpp"
#include "paths/path_policy.hpp"

namespace msocket::paths {
namespace {

class Sources final : public PathPolicy {
 public:
  explicit Sources(std::vector<boost::asio::ip::address> sources) : sources_(std::move(sources)) {}
  std::string_view name() const override { return "sources"; }
  bool wants_extra_path(const LocalAddress& local, const boost::asio::ip::tcp::endpoint&) const override {
    return std::find(sources_.begin(), sources_.end(), unmapped(local.address)) != sources_.end();
  }

 private:
  std::vector<boost::asio::ip::address> sources_;
};

}  // namespace

std::unique_ptr<PathPolicy> make_sources_policy(std::vector<boost::asio::ip::address> sources) {
  for (auto& source : sources) source = unmapped(source);
  return std::make_unique<Sources>(std::move(sources));
}

}  // namespace msocket::paths
