// How close_all() (relay/netcat.hpp) reaches what this process has open:
// listening sockets register a way to close them here; splices have their
// own list (stop_all_splices in relay/splice.hpp).
#pragma once

#include <functional>

namespace msocket::relay {

// Runs `close` if close_all() is called while this object lives.
class CloseOnStop {
 public:
  explicit CloseOnStop(std::function<void()> close);
  ~CloseOnStop();
  CloseOnStop(const CloseOnStop&) = delete;
  CloseOnStop& operator=(const CloseOnStop&) = delete;

 private:
  std::function<void()> close_;
};

}  // namespace msocket::relay
