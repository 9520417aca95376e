// Every descriptor the library opens is closed on exec, so that a program
// an application starts (mcat -e) inherits none of its sockets. Asio opens
// and accepts sockets without SOCK_CLOEXEC: this sets it afterwards.
#pragma once

namespace msocket {

// Sets FD_CLOEXEC on `fd` (nothing for a negative fd).
void set_close_on_exec(int fd);

}  // namespace msocket
