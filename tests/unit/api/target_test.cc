// Splitting request-targets into path and query (RFC 9112 3.2).
#include "api/target.h"

#include <gtest/gtest.h>

namespace tether::api {
namespace {

TEST(TargetTest, OriginFormSplitsPathAndRawQuery) {
  SplitTargetResult split =
      SplitTarget("/nic/update?hostname=a.example&myip=192.0.2.1,2001:db8::1");
  EXPECT_EQ(split.path, "/nic/update");
  EXPECT_EQ(split.query, "hostname=a.example&myip=192.0.2.1,2001:db8::1");
}

TEST(TargetTest, PathIsPercentDecodedQueryIsNot) {
  SplitTargetResult split = SplitTarget("/api/v1/hosts/a%2Eb%20c?x=%41+b");
  EXPECT_EQ(split.path, "/api/v1/hosts/a.b c");
  EXPECT_EQ(split.query, "x=%41+b");
}

TEST(TargetTest, AbsoluteFormDropsSchemeAndAuthority) {
  SplitTargetResult split = SplitTarget("http://members.example.net/nic/update?hostname=h");
  EXPECT_EQ(split.path, "/nic/update");
  EXPECT_EQ(split.query, "hostname=h");
  EXPECT_EQ(SplitTarget("HTTPS://Example.NET").path, "/");
  EXPECT_EQ(SplitTarget("http://example.net?q=1").path, "/");
  EXPECT_EQ(SplitTarget("http://example.net?q=1").query, "q=1");
}

TEST(TargetTest, FragmentIsDropped) {
  SplitTargetResult split = SplitTarget("/update?domains=x#frag");
  EXPECT_EQ(split.path, "/update");
  EXPECT_EQ(split.query, "domains=x");
}

TEST(TargetTest, EmptyQueryAfterQuestionMark) {
  SplitTargetResult split = SplitTarget("/metrics?");
  EXPECT_EQ(split.path, "/metrics");
  EXPECT_EQ(split.query, "");
}

TEST(TargetTest, BadEscapesStayAsTheyAre) {
  EXPECT_EQ(PercentDecode("%"), "%");
  EXPECT_EQ(PercentDecode("a%4"), "a%4");
  EXPECT_EQ(PercentDecode("%zz%41"), "%zzA");
  EXPECT_EQ(PercentDecode("100%25"), "100%");
  EXPECT_EQ(PercentDecode("a+b"), "a+b");
}

}  // namespace
}  // namespace tether::api
