// RateLimiter: token buckets per key (an account name, a host, a client address), for
// update rate limits and for throttling failed logins. A key may spend `burst` events at
// once and regains `rate_per_second`. Memory is bounded: keys are kept in two generations
// of at most `max_keys`/2; an idle key simply starts again with a full bucket.
//
// Keys are strings (RateLimiter, looked up by string_view without a copy) or numeric ids
// (IdRateLimiter: a host's or an account's id, no text made per request).
//
// Thread-safety: thread-safe; a short mutex per call.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/hash.h"
#include "base/mutex.h"

namespace tether {

namespace rate_limiter_internal {
template <class Key>
struct KeyTraits {  // numeric keys
  using View = Key;
  using Hash = std::hash<Key>;
  using Equal = std::equal_to<Key>;
};
template <>
struct KeyTraits<std::string> {
  using View = std::string_view;
  using Hash = StringKeyHash;
  using Equal = std::equal_to<>;
};
}  // namespace rate_limiter_internal

// One token bucket: `tokens` events left, refilled at a rate up to a burst.
struct TokenBucket {
  using Clock = std::chrono::steady_clock;
  double tokens;
  Clock::time_point updated;

  void Refill(double rate_per_second, double burst, Clock::time_point now) {
    double elapsed = std::chrono::duration<double>(now - updated).count();
    if (elapsed > 0) {
      tokens = std::min(burst, tokens + elapsed * rate_per_second);
      updated = now;
    }
  }
};

template <class Key>
class BasicRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  using KeyView = typename rate_limiter_internal::KeyTraits<Key>::View;

  BasicRateLimiter(double rate_per_second, double burst, size_t max_keys = 1 << 20)
      : rate_(rate_per_second), burst_(burst), max_keys_(max_keys) {}

  // Spends one event for `key` if it has one; false means "over the limit".
  bool Allow(KeyView key, Clock::time_point now = Clock::now()) {
    MutexLock lock(mu_);
    Bucket& bucket = Refill(key, now);
    if (bucket.tokens < 1.0) return false;
    bucket.tokens -= 1.0;
    return true;
  }
  // True if `key` has at least one event left (spends nothing).
  bool WouldAllow(KeyView key, Clock::time_point now = Clock::now()) {
    MutexLock lock(mu_);
    return Refill(key, now).tokens >= 1.0;
  }
  // Seconds until `key` has an event again (0 if it has one now).
  double RetryAfter(KeyView key, Clock::time_point now = Clock::now()) {
    MutexLock lock(mu_);
    Bucket& bucket = Refill(key, now);
    if (bucket.tokens >= 1.0 || rate_ <= 0) return 0;
    return (1.0 - bucket.tokens) / rate_;
  }

 private:
  using Bucket = TokenBucket;
  using Map = std::unordered_map<Key, Bucket, typename rate_limiter_internal::KeyTraits<Key>::Hash,
                                 typename rate_limiter_internal::KeyTraits<Key>::Equal>;

  Bucket& Refill(KeyView key, Clock::time_point now) REQUIRES(mu_) {
    auto found = current_.find(key);
    if (found == current_.end()) {
      if (current_.size() >= max_keys_ / 2) {
        previous_ = std::move(current_);
        current_.clear();
      }
      Bucket bucket{burst_, now};
      if (auto old = previous_.find(key); old != previous_.end()) {
        bucket = old->second;
        previous_.erase(old);
      }
      found = current_.emplace(Key(key), bucket).first;
    }
    Bucket& bucket = found->second;
    bucket.Refill(rate_, burst_, now);
    return bucket;
  }

  const double rate_;
  const double burst_;
  const size_t max_keys_;
  Mutex mu_;
  Map current_ GUARDED_BY(mu_);
  Map previous_ GUARDED_BY(mu_);
};

using RateLimiter = BasicRateLimiter<std::string>;
using IdRateLimiter = BasicRateLimiter<int64_t>;

}  // namespace tether
