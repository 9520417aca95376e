#include "core/fd_limit.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <limits>

namespace msocket {

namespace {

std::size_t as_size(rlim_t value) {
  if (value == RLIM_INFINITY || value > std::numeric_limits<std::size_t>::max())
    return std::numeric_limits<std::size_t>::max();
  return static_cast<std::size_t>(value);
}

boost::system::error_code last_error() { return {errno, boost::system::system_category()}; }

}  // namespace

FdLimits fd_limits() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return {};
  return {as_size(limit.rlim_cur), as_size(limit.rlim_max)};
}

result<std::size_t> raise_fd_limit(std::size_t wanted) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return last_error();
  const bool reachable = limit.rlim_max == RLIM_INFINITY || wanted <= limit.rlim_max;
  const rlim_t target = reachable ? static_cast<rlim_t>(wanted) : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
    limit.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return last_error();
  }
  if (!reachable) return boost::system::errc::make_error_code(boost::system::errc::too_many_files_open);
  return as_size(limit.rlim_cur);
}

}  // namespace msocket
