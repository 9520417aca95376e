#include "names/rate_limiter.hpp"

#include <algorithm>

namespace msocket::names {

template <class Key>
double TokenBuckets<Key>::refilled(const Bucket& bucket, Clock::time_point now) const {
  const auto elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  return std::min(rate_.burst, bucket.tokens + std::max(0.0, elapsed) * rate_.per_second);
}

template <class Key>
void TokenBuckets<Key>::forget_full(Clock::time_point now) {
  if (last_sweep_ != Clock::time_point{} && now - last_sweep_ < std::chrono::seconds(1)) return;
  last_sweep_ = now;
  std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second, now) >= rate_.burst; });
}

template <class Key>
bool TokenBuckets<Key>::admit(const Key& key, Clock::time_point now) {
  if (rate_.per_second <= 0) return true;
  auto found = buckets_.find(key);
  if (found == buckets_.end()) {
    if (buckets_.size() >= max_keys_) forget_full(now);
    if (buckets_.size() >= max_keys_) return false;
    found = buckets_.emplace(key, Bucket{rate_.burst, now}).first;
  }
  auto& bucket = found->second;
  bucket.tokens = refilled(bucket, now);
  bucket.updated = now;
  if (bucket.tokens < 1) return false;
  bucket.tokens -= 1;
  return true;
}

template class TokenBuckets<PublicKey>;
template class TokenBuckets<SourceKey>;

}  // namespace msocket::names
