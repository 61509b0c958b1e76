// RateLimiter: token buckets per key (an account name, a host, a client address), for
// update rate limits and for throttling failed logins. A key may spend `burst` events at
// once and regains `rate_per_second`. Memory is bounded: keys are kept in two generations
// of at most `max_keys`/2; an idle key simply starts again with a full bucket.
//
// Thread-safety: thread-safe; a short mutex per call.
#pragma once

#include <chrono>
#include <string>
#include <unordered_map>

#include "base/mutex.h"

namespace tether {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double rate_per_second, double burst, size_t max_keys = 1 << 20)
      : rate_(rate_per_second), burst_(burst), max_keys_(max_keys) {}

  // Spends one event for `key` if it has one; false means "over the limit".
  bool Allow(const std::string& key, Clock::time_point now = Clock::now());
  // True if `key` has at least one event left (spends nothing).
  bool WouldAllow(const std::string& key, Clock::time_point now = Clock::now());
  // Seconds until `key` has an event again (0 if it has one now).
  double RetryAfter(const std::string& key, Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens;
    Clock::time_point updated;
  };
  Bucket& Refill(const std::string& key, Clock::time_point now) REQUIRES(mu_);

  const double rate_;
  const double burst_;
  const size_t max_keys_;
  Mutex mu_;
  std::unordered_map<std::string, Bucket> current_ GUARDED_BY(mu_);
  std::unordered_map<std::string, Bucket> previous_ GUARDED_BY(mu_);
};

}  // namespace tether
