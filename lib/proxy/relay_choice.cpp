#include "proxy/relay_choice.hpp"

#include <algorithm>

namespace msocket::proxy {

namespace {

constexpr Duration kNoise = std::chrono::milliseconds(2);

bool nearer(const RelayDistance& a, const RelayDistance& b) {
  if (!b.connect_time) return a.connect_time.has_value();
  return a.connect_time && *a.connect_time < *b.connect_time;
}

}  // namespace

std::vector<std::string> by_distance(std::vector<RelayDistance> distances) {
  std::stable_sort(distances.begin(), distances.end(), nearer);
  std::vector<std::string> ranked;
  for (auto& d : distances) ranked.push_back(std::move(d.relay));
  return ranked;
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
  std::stable_sort(unused.begin(), unused.end(), nearer);
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
