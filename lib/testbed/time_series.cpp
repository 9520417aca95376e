#include "testbed/time_series.hpp"

#include <algorithm>

#include <boost/assert.hpp>

namespace msocket::testbed {

std::vector<std::uint64_t> cumulative(std::span<const std::uint64_t> per_bucket) {
  std::vector<std::uint64_t> totals(per_bucket.size());
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < per_bucket.size(); ++i) totals[i] = total += per_bucket[i];
  return totals;
}

std::vector<double> sliding_window_rate(std::span<const std::uint64_t> per_bucket, std::chrono::milliseconds bucket,
                                        std::chrono::milliseconds window) {
  BOOST_ASSERT(bucket.count() > 0 && window >= bucket && window % bucket == std::chrono::milliseconds::zero());
  const auto width = static_cast<std::size_t>(window / bucket);
  const double bucket_seconds = std::chrono::duration<double>(bucket).count();
  std::vector<double> rates(per_bucket.size());
  std::uint64_t in_window = 0;
  for (std::size_t i = 0; i < per_bucket.size(); ++i) {
    in_window += per_bucket[i];
    if (i >= width) in_window -= per_bucket[i - width];
    const auto buckets = std::min(i + 1, width);
    rates[i] = 8.0 * static_cast<double>(in_window) / (static_cast<double>(buckets) * bucket_seconds);
  }
  return rates;
}

}  // namespace msocket::testbed
