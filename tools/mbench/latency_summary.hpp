// Percentiles of a set of latencies, by the nearest-rank method (the p-th
// percentile is a value that was measured, never an interpolation).
#pragma once

#include <vector>

namespace msocket::mbench {

struct LatencySummary {
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;
  std::size_t count = 0;
};

// Summary of `samples` (any unit; the result is in the same one). All zero
// when `samples` is empty.
LatencySummary summarize(std::vector<double> samples);

}  // namespace msocket::mbench
