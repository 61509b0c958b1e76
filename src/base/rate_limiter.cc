#include "base/rate_limiter.h"

#include <algorithm>

namespace tether {

RateLimiter::Bucket& RateLimiter::Refill(const std::string& key, Clock::time_point now) {
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
    found = current_.emplace(key, bucket).first;
  }
  Bucket& bucket = found->second;
  double elapsed = std::chrono::duration<double>(now - bucket.updated).count();
  if (elapsed > 0) {
    bucket.tokens = std::min(burst_, bucket.tokens + elapsed * rate_);
    bucket.updated = now;
  }
  return bucket;
}

bool RateLimiter::Allow(const std::string& key, Clock::time_point now) {
  MutexLock lock(mu_);
  Bucket& bucket = Refill(key, now);
  if (bucket.tokens < 1.0) return false;
  bucket.tokens -= 1.0;
  return true;
}

bool RateLimiter::WouldAllow(const std::string& key, Clock::time_point now) {
  MutexLock lock(mu_);
  return Refill(key, now).tokens >= 1.0;
}

double RateLimiter::RetryAfter(const std::string& key, Clock::time_point now) {
  MutexLock lock(mu_);
  Bucket& bucket = Refill(key, now);
  if (bucket.tokens >= 1.0 || rate_ <= 0) return 0;
  return (1.0 - bucket.tokens) / rate_;
}

}  // namespace tether
