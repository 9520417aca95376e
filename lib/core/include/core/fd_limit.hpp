// How many descriptors this process may open (RLIMIT_NOFILE). A relay holds
// two per reservation (its control channel, its public port) and two per
// flow (its halves), and mbench opens thousands of connections at once: both
// need more than the usual soft limit of 1024. Any process may raise its
// soft limit up to its hard one; only a privileged one can go beyond.
#pragma once

#include <cstddef>

#include "msocket/error.hpp"

namespace msocket {

struct FdLimits {
  std::size_t soft = 0;  // descriptors the process may open now
  std::size_t hard = 0;  // the most the soft limit can be raised to
};

// The limits now (getrlimit; an unlimited one as SIZE_MAX).
FdLimits fd_limits();

// Raises the soft limit to `wanted`, or as close to it as the hard limit
// allows; never lowers it. Returns the soft limit now.
// Errors: boost::system::errc::too_many_files_open when the hard limit is
// below `wanted` (the soft limit is then raised to the hard one, as
// fd_limits() tells); the system's when getrlimit or setrlimit fails.
result<std::size_t> raise_fd_limit(std::size_t wanted);

}  // namespace msocket
