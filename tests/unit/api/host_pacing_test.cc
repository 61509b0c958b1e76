// HostPacing: the per-host budgets and history folding of the update protocols.
#include "api/host_pacing.h"

#include <gtest/gtest.h>

namespace tether::api {
namespace {

using std::chrono::seconds;

TEST(HostPacingTest, NochgBudgetIsKeptPerHostAcrossGrowth) {
  HostPacing pacing(/*nochg_per_hour=*/2, /*changes_per_minute=*/10, seconds(3600));
  const auto now = HostPacing::Clock::time_point() + seconds(1000);
  for (int64_t host = 1; host <= 5000; ++host) {
    pacing.SpendNochg(host, now);
    pacing.SpendNochg(host, now);
  }
  for (int64_t host = 1; host <= 5000; ++host) {
    const HostPacing::Budget budget = pacing.Check(host, now);
    ASSERT_FALSE(budget.nochg) << host;
    ASSERT_TRUE(budget.change) << host;
  }
  EXPECT_TRUE(pacing.Check(5001, now).nochg);
}

TEST(HostPacingTest, ChangeBudgetRefillsOverTime) {
  HostPacing pacing(30, /*changes_per_minute=*/1, seconds(3600));
  const auto now = HostPacing::Clock::time_point() + seconds(1000);
  pacing.SpendChange(7, now);
  EXPECT_FALSE(pacing.Check(7, now).change);
  EXPECT_TRUE(pacing.Check(7, now + seconds(60)).change);
}

TEST(HostPacingTest, NochgPollsFoldIntoOneHistoryEntryPerInterval) {
  HostPacing pacing(1000, 10, seconds(3600));
  const auto now = HostPacing::Clock::time_point() + seconds(1000);
  EXPECT_EQ(pacing.SpendNochg(3, now), "");
  EXPECT_EQ(pacing.SpendNochg(3, now + seconds(10)), std::nullopt);
  EXPECT_EQ(pacing.SpendNochg(3, now + seconds(20)), std::nullopt);
  EXPECT_EQ(pacing.SpendNochg(3, now + seconds(3600)), " (+2 before)");
  EXPECT_EQ(pacing.SpendNochg(3, now + seconds(3610)), std::nullopt);
  EXPECT_EQ(pacing.SpendChange(3, now + seconds(3620)), " (after 1 nochg)");
}

}  // namespace
}  // namespace tether::api
