// When bytes handed to a path reach the peer, as far as the path's estimates
// tell (docs/scheduler.md §3). The model: a path with rate r and one-way
// delay d that holds q undelivered bytes delivers a byte appended now after
// max((q + x)/r - d, d + x/r), where x is the byte's place among the bytes
// appended with it. The first term is a busy path (q counts bytes on the
// wire and bytes whose delivery report is still on its way back: d of each);
// the second an idle one. Nor can a byte arrive before the path, busy since
// it last held nothing, has serialized everything ahead of it.
#pragma once

#include "sched/path_estimator.hpp"
#include "sched/send_ledger.hpp"

namespace msocket::sched {

// Arrival of the last of `extra` bytes appended to the path now, behind the
// estimator's in-flight bytes and `queued_now` more given in the same decision.
TimePoint arrival_of_new(const PathEstimator& path, std::uint64_t queued_now, std::uint64_t extra,
                         TimePoint now);

// Arrival of the end of `entry`, which `flight` holds. A stalled path has
// nothing on the wire, so its bytes arrive no sooner than now + delay.
TimePoint arrival_of_sent(const PathEstimator& path, const PathFlight& flight,
                          const SentRange& entry, TimePoint now);

// How many more bytes the path could deliver by `deadline`, beyond what it
// holds and `queued_now` (the inverse of arrival_of_new); 0 if none.
double deliverable_by(const PathEstimator& path, std::uint64_t queued_now, TimePoint deadline,
                      TimePoint now);

}  // namespace msocket::sched
