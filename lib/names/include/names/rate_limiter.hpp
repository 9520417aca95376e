// How often one owner key may update the name service: a token bucket per
// key (as nginx's limit_req and coturn's quotas do it per client). Each
// accepted update takes a token; tokens come back at `per_second` up to
// `burst`. Only updates that passed every other rule count, so a stranger
// replaying or forging records cannot use up an owner's budget. Pure: the
// time is passed in.
#pragma once

#include <chrono>
#include <map>

#include "names/record.hpp"

namespace msocket::names {

struct UpdateRate {
  double per_second = 20;  // 0: no limit
  double burst = 40;       // tokens a bucket holds; an idle key may send this many at once
};

class UpdateRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // Tracks at most `max_keys` keys; when that many are tracked, those whose
  // bucket has filled again are forgotten (they would start full anyway),
  // at most once a second, and a new key is refused if none can be.
  explicit UpdateRateLimiter(UpdateRate rate, std::size_t max_keys = 100'000) : rate_(rate), max_keys_(max_keys) {}

  // Takes a token from `key`'s bucket; false if it is empty (or the table
  // is full). Always true without a limit.
  bool admit(const PublicKey& key, Clock::time_point now);
  // Keys with a bucket now (for tests).
  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  double refilled(const Bucket& bucket, Clock::time_point now) const;
  void forget_full(Clock::time_point now);

  UpdateRate rate_;
  std::size_t max_keys_;
  std::map<PublicKey, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

}  // namespace msocket::names
