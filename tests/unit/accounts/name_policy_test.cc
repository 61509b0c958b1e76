#include "accounts/name_policy.h"

#include <gtest/gtest.h>

namespace tether::accounts {
namespace {

TEST(NamePolicyTest, AcceptsOrdinaryNames) {
  NamePolicy policy;
  EXPECT_TRUE(CheckHostLabel("home", policy));
  EXPECT_TRUE(CheckHostLabel("My-NAS-2", policy));
  EXPECT_TRUE(CheckHostLabel("xn--bcher-kva", policy));
}

TEST(NamePolicyTest, RejectsBadCharactersAndHyphens) {
  NamePolicy policy;
  EXPECT_FALSE(CheckHostLabel("a_b", policy));
  EXPECT_FALSE(CheckHostLabel("a.b", policy));
  EXPECT_FALSE(CheckHostLabel("-home", policy));
  EXPECT_FALSE(CheckHostLabel("home-", policy));
  EXPECT_FALSE(CheckHostLabel("ab--cd", policy));
}

TEST(NamePolicyTest, RejectsLengthOutsideLimits) {
  NamePolicy policy;
  EXPECT_FALSE(CheckHostLabel("ab", policy));
  EXPECT_FALSE(CheckHostLabel(std::string(64, 'a'), policy));
}

TEST(NamePolicyTest, ReservedAndBlockedWords) {
  NamePolicy policy;
  policy.blocked = {"paypal"};
  EXPECT_FALSE(CheckHostLabel("WWW", policy));
  EXPECT_FALSE(CheckHostLabel("my-paypal-login", policy));
  auto error = CheckHostLabel("admin", policy);
  ASSERT_FALSE(error);
  EXPECT_NE(error.error().message.find("reserved"), std::string::npos);
}

}  // namespace
}  // namespace tether::accounts
