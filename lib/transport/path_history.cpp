#include "transport/path_history.hpp"

namespace msocket::transport {

void PathHistory::replaced(PathId id, const session::Session& session, std::string local, std::string remote) {
  // Bounded, whatever ids the peer uses: the lowest ids go first.
  constexpr std::size_t kPathsKept = 64;
  if (!totals_.count(id) && totals_.size() >= kPathsKept) totals_.erase(totals_.begin());
  auto& total = totals_[id];
  total.path = id;
  if (auto it = session.paths().find(id); it != session.paths().end()) {
    total.bytes_sent += it->second.bytes_sent;
    total.bytes_received += it->second.bytes_received;
    if (it->second.srtt) total.rtt = *it->second.srtt;
  }
  total.local = std::move(local);
  total.remote = std::move(remote);
}

Stats PathHistory::stats(const session::Session& session, const std::vector<Migration>& migrations) const {
  Stats s;
  s.bytes_sent = session.counters().bytes_written;
  s.bytes_received = session.counters().bytes_read;
  s.flowpaths_opened = session.counters().paths_opened;
  s.migrations = migrations;
  for (const auto& [id, state] : session.paths()) {
    PathStats p;
    if (auto earlier = totals_.find(id); earlier != totals_.end()) p = earlier->second;
    p.path = id;
    p.bytes_sent += state.bytes_sent;
    p.bytes_received += state.bytes_received;
    if (state.srtt) p.rtt = *state.srtt;
    p.live = state.live;
    s.paths.push_back(std::move(p));
  }
  return s;
}

}  // namespace msocket::transport
