// TSIG keys, grants and allow_update in both stores.
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace tether::store::testing {
namespace {

class KeysTest : public AnyStoreTest {};
TETHER_BOTH_STORES(KeysTest);

TEST_P(KeysTest, KeysAndGrantsRoundTrip) {
  Create("example.com.");
  TsigKeyInfo key{N("Update.Key."), "hmac-sha256", {0, 1, 2, 255}, {}};
  ASSERT_TRUE(store_->AddKey(key));
  ASSERT_TRUE(store_->AddKey({N("other."), "hmac-sha512", {7}, {}}));
  std::vector<KeyGrant> grants = {
      {N("example.com."), GrantScope::kZone, dns::Name(), {}},
      {N("example.com."),
       GrantScope::kName,
       N("www.example.com."),
       {dns::RrType::kA, dns::RrType::kAaaa}},
      {N("example.com."), GrantScope::kSubtree, N("users.example.com."), {}},
      {N("example.com."), GrantScope::kAcme, N("home.example.com."), {dns::RrType::kTxt}},
  };
  for (const auto& grant : grants) ASSERT_TRUE(store_->AddGrant(N("update.key."), grant));
  // Granting the same thing again changes nothing.
  ASSERT_TRUE(store_->AddGrant(N("UPDATE.key."), grants[1]));

  auto keys = store_->ListKeys();
  ASSERT_TRUE(keys) << keys.error().message;
  ASSERT_EQ(keys->size(), 2u);
  const TsigKeyInfo& update = (*keys)[0].name == N("update.key.") ? (*keys)[0] : (*keys)[1];
  EXPECT_EQ(update.name, N("update.key."));
  EXPECT_EQ(update.algorithm, "hmac-sha256");
  EXPECT_EQ(update.secret, (std::vector<uint8_t>{0, 1, 2, 255}));
  ASSERT_EQ(update.grants.size(), grants.size());
  for (size_t i = 0; i < grants.size(); ++i) {
    EXPECT_EQ(update.grants[i].zone, grants[i].zone) << i;
    EXPECT_EQ(update.grants[i].scope, grants[i].scope) << i;
    EXPECT_EQ(update.grants[i].name, grants[i].name) << i;
    EXPECT_EQ(update.grants[i].types, grants[i].types) << i;
  }
}

TEST_P(KeysTest, AddingAKeyTwiceIsAlreadyExists) {
  ASSERT_TRUE(store_->AddKey({N("k."), "hmac-sha256", {1}, {}}));
  auto again = store_->AddKey({N("K."), "hmac-sha256", {2}, {}});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST_P(KeysTest, KeyWithGrantsIsAddedWhole) {
  Create("example.com.");
  ASSERT_TRUE(store_->AddKey(
      {N("k."), "hmac-sha256", {1}, {{N("example.com."), GrantScope::kZone, dns::Name(), {}}}}));
  EXPECT_EQ(store_->ListKeys()->front().grants.size(), 1u);
}

TEST_P(KeysTest, GrantNeedsKeyAndZone) {
  Create("example.com.");
  auto no_key = store_->AddGrant(N("k."), {N("example.com."), GrantScope::kZone, dns::Name(), {}});
  ASSERT_FALSE(no_key);
  EXPECT_EQ(no_key.error().code, ErrorCode::kNotFound);
  ASSERT_TRUE(store_->AddKey({N("k."), "hmac-sha256", {1}, {}}));
  auto no_zone = store_->AddGrant(N("k."), {N("example.org."), GrantScope::kZone, dns::Name(), {}});
  ASSERT_FALSE(no_zone);
  EXPECT_EQ(no_zone.error().code, ErrorCode::kNotFound);
  auto outside =
      store_->AddGrant(N("k."), {N("example.com."), GrantScope::kName, N("www.example.org."), {}});
  ASSERT_FALSE(outside);
  EXPECT_EQ(outside.error().code, ErrorCode::kInvalidArgument);
}

TEST_P(KeysTest, RemoveKeyRemovesItsGrants) {
  Create("example.com.");
  ASSERT_TRUE(store_->AddKey({N("k."), "hmac-sha256", {1}, {}}));
  ASSERT_TRUE(store_->AddGrant(N("k."), {N("example.com."), GrantScope::kZone, dns::Name(), {}}));
  auto removed = store_->RemoveKey(N("K."));
  ASSERT_TRUE(removed);
  EXPECT_TRUE(*removed);
  EXPECT_TRUE(store_->ListKeys()->empty());
  auto again = store_->RemoveKey(N("k."));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  // Re-adding starts without the old grants.
  ASSERT_TRUE(store_->AddKey({N("k."), "hmac-sha256", {1}, {}}));
  EXPECT_TRUE(store_->ListKeys()->front().grants.empty());
}

TEST_P(KeysTest, AllowUpdateRoundTrip) {
  ZoneInfo zone = Create("example.com.");
  EXPECT_TRUE((*store_->GetZone(zone.origin))->allow_update.empty());
  std::vector<std::string> cidrs = {"192.0.2.0/24", "2001:db8::/32", "198.51.100.7/32"};
  ASSERT_TRUE(store_->SetAllowUpdate(zone.id, cidrs));
  EXPECT_EQ((*store_->GetZone(zone.origin))->allow_update, cidrs);
  EXPECT_EQ(store_->ListZones()->front().allow_update, cidrs);
  ASSERT_TRUE(store_->SetAllowUpdate(zone.id, {}));
  EXPECT_TRUE((*store_->GetZone(zone.origin))->allow_update.empty());
}

TEST_P(KeysTest, AllowUpdateRefusesWhatWouldNotRoundTrip) {
  ZoneInfo zone = Create("example.com.");
  EXPECT_FALSE(store_->SetAllowUpdate(zone.id, {"192.0.2.0/24,10.0.0.0/8"}));
  EXPECT_FALSE(store_->SetAllowUpdate(zone.id, {""}));
  auto unknown = store_->SetAllowUpdate(zone.id + 100, {"192.0.2.0/24"});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tether::store::testing
