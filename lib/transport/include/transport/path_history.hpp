// What --stats says of each flowpath over the connection's whole life. The
// session counts only the socket a path id has now; when a move gives the
// id a new socket, the old one's counts are kept here and added.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "session/session.hpp"
#include "transport/options.hpp"

namespace msocket::transport {

class PathHistory {
 public:
  // A new socket from `local` to `remote` takes over `id` (call before the
  // session forgets the old one).
  void replaced(PathId id, const session::Session& session, std::string local, std::string remote);
  Stats stats(const session::Session& session, const std::vector<Migration>& migrations) const;

 private:
  std::map<PathId, PathStats> totals_;
};

}  // namespace msocket::transport
