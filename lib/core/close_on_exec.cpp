#include "core/close_on_exec.hpp"

#include <fcntl.h>

namespace msocket {

void set_close_on_exec(int fd) {
  if (fd < 0) return;
  const int flags = ::fcntl(fd, F_GETFD);
  if (flags >= 0 && !(flags & FD_CLOEXEC)) (void)::fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

}  // namespace msocket
