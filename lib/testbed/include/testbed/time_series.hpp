// Bytes counted in equal time buckets (a download's payload per 100 ms, a
// device's bytes per 100 ms), turned into what a chart can show without
// noise: the running total, and the rate over a sliding window. Per-bucket
// rates are unreadable when bytes arrive in bursts (data reordered across
// paths is delivered all at once); a total only grows, and a window several
// buckets wide averages the bursts out. Pure functions, no I/O.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

namespace msocket::testbed {

// The running total: element i is the sum of `per_bucket[0..i]`, the bytes
// in by the end of bucket i. Same length as `per_bucket`.
std::vector<std::uint64_t> cumulative(std::span<const std::uint64_t> per_bucket);

// The rate in bits per second over a window of `window` ending at the end
// of each bucket: element i is 8 * (the bytes of the buckets in that window)
// / its length. `window` must be a whole number (at least one) of `bucket`s.
// Until a whole window has elapsed, the window is the time since the start,
// so the first points are not pulled towards zero by time before the start.
// Same length as `per_bucket`.
std::vector<double> sliding_window_rate(std::span<const std::uint64_t> per_bucket, std::chrono::milliseconds bucket,
                                        std::chrono::milliseconds window);

}  // namespace msocket::testbed
