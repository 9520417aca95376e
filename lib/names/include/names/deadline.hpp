// Deadlines from durations that come from outside: a record's expiry may be
// years (or INT64_MAX seconds) away, more than a steady_clock time point
// can hold in nanoseconds. Adding such a duration wraps into the past, and
// a timer armed there fires at once, again and again; these saturate
// instead. Pure, no clock of their own.
#pragma once

#include <chrono>
#include <cstdint>

namespace msocket::names {

// `now + left`, or the clock's largest time point if that would not fit; `now`
// if `left` is not positive.
template <class Clock, class Rep, class Period>
typename Clock::time_point saturating_deadline(typename Clock::time_point now,
                                               std::chrono::duration<Rep, Period> left) {
  using TimePoint = typename Clock::time_point;
  if (left <= left.zero()) return now;
  // Room left before the largest time point, in the caller's unit (rounded
  // down, so that what fits is never refused).
  const auto room = std::chrono::duration_cast<std::chrono::duration<Rep, Period>>(TimePoint::max() - now);
  if (left >= room) return TimePoint::max();
  return now + std::chrono::duration_cast<typename Clock::duration>(left);
}

// Seconds from `now` to `expires` (both seconds since the epoch), without
// overflow for any two values; zero if `expires` is not after `now`.
inline std::chrono::seconds seconds_until(std::int64_t expires, std::int64_t now) {
  if (expires <= now) return std::chrono::seconds::zero();
  // expires > now: the difference fits in an unsigned 64-bit integer.
  const auto difference = static_cast<std::uint64_t>(expires) - static_cast<std::uint64_t>(now);
  constexpr auto most = static_cast<std::uint64_t>(std::chrono::seconds::max().count());
  return std::chrono::seconds(static_cast<std::int64_t>(difference > most ? most : difference));
}

}  // namespace msocket::names
