#include "base/time_text.h"

#include <gtest/gtest.h>

namespace tether {
namespace {

TEST(TimeTextTest, DateMeansThroughThatDay) {
  auto time = ParseTimeText("2027-01-31", 0);
  ASSERT_TRUE(time);
  EXPECT_EQ(FormatTime(*time), "2027-02-01T00:00:00Z");
}

TEST(TimeTextTest, FullTimestamp) {
  auto time = ParseTimeText("2027-01-31T12:30:00Z", 0);
  ASSERT_TRUE(time);
  EXPECT_EQ(FormatTime(*time), "2027-01-31T12:30:00Z");
}

TEST(TimeTextTest, Relative) {
  EXPECT_EQ(*ParseTimeText("+30d", 1000), 1000 + 30 * 86400);
  EXPECT_EQ(*ParseTimeText("+12h", 0), 12 * 3600);
  EXPECT_EQ(*ParseTimeText("+90m", 0), 90 * 60);
}

TEST(TimeTextTest, Rejects) {
  EXPECT_FALSE(ParseTimeText("tomorrow", 0));
  EXPECT_FALSE(ParseTimeText("+30y", 0));
  EXPECT_FALSE(ParseTimeText("2027-13-01", 0));
  EXPECT_FALSE(ParseTimeText("+", 0));
  EXPECT_FALSE(ParseTimeText("2027-01-31T12:30:00", 0));
}

}  // namespace
}  // namespace tether
