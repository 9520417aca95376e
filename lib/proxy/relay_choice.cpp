#include "proxy/relay_choice.hpp"

#include <algorithm>

namespace msocket::proxy {

namespace {

constexpr Duration kNoise = std::chrono::milliseconds(2);

bool nearer(const RelayDistance& a, const RelayDistance& b) {
  if (!b.connect_time) return a.connect_time.has_value();
  return a.connect_time && *a.connect_time < *b.connect_time;
}

// Nearest first; of those as near as the nearest left, the least loaded.
// Greedy, so that as_near, which does not chain (a ~ b and b ~ c but not
// a ~ c), still gives one order.
std::vector<RelayDistance> ranked(std::vector<RelayDistance> distances) {
  std::stable_sort(distances.begin(), distances.end(), nearer);
  std::vector<RelayDistance> out;
  while (!distances.empty()) {
    auto pick = distances.begin();
    if (pick->connect_time) {
      const auto nearest = *pick->connect_time;
      for (auto it = distances.begin(); it != distances.end(); ++it)
        if (it->connect_time && as_near(*it->connect_time, nearest) && it->load < pick->load) pick = it;
    }
    out.push_back(std::move(*pick));
    distances.erase(pick);
  }
  return out;
}

}  // namespace

bool as_near(Duration a, Duration b) {
  const auto gap = a > b ? a - b : b - a;
  return gap < std::max<Duration>(kNoise, std::min(a, b) / 4);
}

std::vector<std::string> by_distance(std::vector<RelayDistance> distances) {
  std::vector<std::string> out;
  for (auto& d : ranked(std::move(distances))) out.push_back(std::move(d.relay));
  return out;
}

std::vector<std::pair<std::string, std::string>> nearer_relays(const std::vector<RelayDistance>& distances,
                                                               const std::vector<std::string>& in_use) {
  std::vector<RelayDistance> used, unused;
  for (const auto& d : distances) {
    const bool using_it = std::find(in_use.begin(), in_use.end(), d.relay) != in_use.end();
    if (using_it)
      used.push_back(d);
    else if (d.connect_time)
      unused.push_back(d);
  }
  unused = ranked(std::move(unused));
  std::stable_sort(used.begin(), used.end(), [](const auto& a, const auto& b) { return nearer(b, a); });
  std::vector<std::pair<std::string, std::string>> swaps;
  std::size_t next = 0;
  for (const auto& u : used) {
    if (next == unused.size()) break;
    const auto& candidate = unused[next];
    const bool gives_way = !u.connect_time || (*u.connect_time > 2 * *candidate.connect_time &&
                                               *u.connect_time - *candidate.connect_time >= kNoise);
    if (!gives_way) break;  // the farthest in use stays: the nearer ones do too
    swaps.emplace_back(u.relay, candidate.relay);
    ++next;
  }
  return swaps;
}

}  // namespace msocket::proxy
