#include "relay/stop.hpp"

#include <algorithm>
#include <vector>

#include "relay/netcat.hpp"
#include "relay/splice.hpp"

namespace msocket::relay {
namespace {

// Set once by close_all(), never cleared.
bool& stop_requested() {
  static bool requested = false;
  return requested;
}

std::vector<std::function<void()>*>& closers() {
  static std::vector<std::function<void()>*> list;
  return list;
}

}  // namespace

CloseOnStop::CloseOnStop(std::function<void()> close) : close_(std::move(close)) { closers().push_back(&close_); }

CloseOnStop::~CloseOnStop() { std::erase(closers(), &close_); }

bool stopping() { return stop_requested(); }

void close_all(Duration grace) {
  stop_requested() = true;
  for (auto* close : std::vector(closers())) (*close)();  // a copy: closing may unregister
  stop_all_splices(grace);
}

}  // namespace msocket::relay
