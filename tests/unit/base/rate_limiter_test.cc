#include "base/rate_limiter.h"

#include <gtest/gtest.h>

namespace tether {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiterTest, BurstThenRefill) {
  RateLimiter limiter(1.0, 3.0);
  auto now = RateLimiter::Clock::now();
  EXPECT_TRUE(limiter.Allow("a", now));
  EXPECT_TRUE(limiter.Allow("a", now));
  EXPECT_TRUE(limiter.Allow("a", now));
  EXPECT_FALSE(limiter.Allow("a", now));
  EXPECT_NEAR(limiter.RetryAfter("a", now), 1.0, 1e-6);
  EXPECT_TRUE(limiter.Allow("a", now + milliseconds(1000)));
}

TEST(RateLimiterTest, KeysAreIndependent) {
  RateLimiter limiter(0.0, 1.0);
  auto now = RateLimiter::Clock::now();
  EXPECT_TRUE(limiter.Allow("a", now));
  EXPECT_FALSE(limiter.Allow("a", now));
  EXPECT_TRUE(limiter.Allow("b", now));
}

TEST(RateLimiterTest, WouldAllowSpendsNothing) {
  RateLimiter limiter(0.0, 1.0);
  auto now = RateLimiter::Clock::now();
  EXPECT_TRUE(limiter.WouldAllow("a", now));
  EXPECT_TRUE(limiter.Allow("a", now));
  EXPECT_FALSE(limiter.WouldAllow("a", now));
}

TEST(RateLimiterTest, MemoryIsBounded) {
  RateLimiter limiter(0.0, 1.0, 10);
  auto now = RateLimiter::Clock::now();
  EXPECT_TRUE(limiter.Allow("first", now));
  for (int i = 0; i < 100; ++i) limiter.Allow(std::to_string(i), now);
  EXPECT_TRUE(limiter.Allow("first", now));  // forgotten: a fresh bucket
}

}  // namespace
}  // namespace tether
