// Percentiles of a set of latencies, by the nearest-rank method (the p-th
// percentile is a value that was measured, never an interpolation), and the
// median of repeated runs.
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

// The middle value of `values`, or the mean of the two middle ones (the
// median of a few runs, where the nearest rank would favour the lower).
// `values` must not be empty.
double median(std::vector<double> values);

}  // namespace msocket::mbench
