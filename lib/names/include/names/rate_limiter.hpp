// How often one client may use the name service: a token bucket per key (as
// nginx's limit_req and coturn's quotas do it per client). Updates are
// counted per owner key: each accepted update takes a token, and only
// updates that passed every other rule count, so a stranger replaying or
// forging records cannot use up an owner's budget. DNS queries are counted
// per source address. Tokens come back at `per_second` up to `burst`.
// Pure: the time is passed in.
#pragma once

#include <array>
#include <chrono>
#include <map>

#include "names/record.hpp"

namespace msocket::names {

struct TokenRate {
  double per_second = 20;  // 0: no limit
  double burst = 40;       // tokens a bucket holds; an idle key may send this many at once
};
// Accepted puts and deletes per owner key (the defaults above are theirs).
using UpdateRate = TokenRate;

template <class Key>
class TokenBuckets {
 public:
  using Clock = std::chrono::steady_clock;

  // Tracks at most `max_keys` keys; when that many are tracked, those whose
  // bucket has filled again are forgotten (they would start full anyway),
  // at most once a second, and a new key is refused if none can be.
  explicit TokenBuckets(TokenRate rate, std::size_t max_keys = 100'000) : rate_(rate), max_keys_(max_keys) {}

  // Takes a token from `key`'s bucket; false if it is empty (or the table
  // is full). Always true without a limit.
  bool admit(const Key& key, Clock::time_point now);
  // Keys with a bucket now (for tests).
  std::size_t tracked() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point updated;
  };
  double refilled(const Bucket& bucket, Clock::time_point now) const;
  void forget_full(Clock::time_point now);

  TokenRate rate_;
  std::size_t max_keys_;
  std::map<Key, Bucket> buckets_;
  Clock::time_point last_sweep_{};
};

// A source address as a key: its 16 bytes as IPv6 (IPv4 mapped into it).
using SourceKey = std::array<unsigned char, 16>;

using UpdateRateLimiter = TokenBuckets<PublicKey>;
using SourceRateLimiter = TokenBuckets<SourceKey>;
extern template class TokenBuckets<PublicKey>;
extern template class TokenBuckets<SourceKey>;

}  // namespace msocket::names
