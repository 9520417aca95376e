#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <limits>

#include "core/fd_limit.hpp"

namespace {

// Puts the soft limit back as it was, so that the other tests run under the
// limits they were started with.
class SoftLimitRestorer {
 public:
  SoftLimitRestorer() { ::getrlimit(RLIMIT_NOFILE, &saved_); }
  ~SoftLimitRestorer() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  SoftLimitRestorer(const SoftLimitRestorer&) = delete;
  SoftLimitRestorer& operator=(const SoftLimitRestorer&) = delete;

 private:
  rlimit saved_{};
};

}  // namespace

TEST_CASE("raise_fd_limit never lowers the soft limit", "[core]") {
  const SoftLimitRestorer restorer;
  const auto before = msocket::fd_limits();
  REQUIRE(before.soft > 0);
  const auto raised = msocket::raise_fd_limit(1);
  REQUIRE(raised);
  CHECK(*raised == before.soft);
  CHECK(msocket::fd_limits().soft == before.soft);
}

TEST_CASE("raise_fd_limit raises the soft limit up to what is wanted", "[core]") {
  const SoftLimitRestorer restorer;
  const auto before = msocket::fd_limits();
  if (before.hard == std::numeric_limits<std::size_t>::max() || before.soft == before.hard) {
    SUCCEED("the soft limit is already the hard one");
    return;
  }
  const auto wanted = before.soft + (before.hard - before.soft) / 2 + 1;
  const auto raised = msocket::raise_fd_limit(wanted);
  REQUIRE(raised);
  CHECK(*raised == wanted);
  CHECK(msocket::fd_limits().soft == wanted);
  CHECK(msocket::fd_limits().hard == before.hard);
}

TEST_CASE("raise_fd_limit stops at the hard limit and says so", "[core]") {
  const SoftLimitRestorer restorer;
  const auto before = msocket::fd_limits();
  if (before.hard == std::numeric_limits<std::size_t>::max()) {
    SUCCEED("no hard limit to reach");
    return;
  }
  const auto raised = msocket::raise_fd_limit(before.hard + 1);
  REQUIRE_FALSE(raised);
  CHECK(raised.error() == boost::system::errc::too_many_files_open);
  CHECK(msocket::fd_limits().soft == before.hard);
}
