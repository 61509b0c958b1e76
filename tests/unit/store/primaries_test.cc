// A secondary zone's primaries (PrimarySettings) in both stores.
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace tether::store::testing {
namespace {

class PrimariesTest : public AnyStoreTest {};
TETHER_BOTH_STORES(PrimariesTest);

PrimarySettings Sample() {
  PrimarySettings settings;
  settings.primaries = {"127.0.0.1:5300", "[::1]:53"};
  settings.key = N("xfr.key.");
  settings.refreshed = 1700000000;
  return settings;
}

TEST_P(PrimariesTest, NewZoneIsNoSecondary) {
  ZoneInfo zone = Create("example.com.");
  auto settings = store_->GetPrimarySettings(zone.id);
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_FALSE(settings->has_value());
}

TEST_P(PrimariesTest, RoundTripAcrossReopen) {
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, Sample()));
  EXPECT_EQ(*store_->GetPrimarySettings(zone.id), Sample());
  Reopen();
  EXPECT_EQ(*store_->GetPrimarySettings(zone.id), Sample());
}

TEST_P(PrimariesTest, SetAgainReplacesAndNulloptDeletes) {
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, Sample()));
  PrimarySettings later{{"192.0.2.1:53"}, std::nullopt, 1700000100};
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, later));
  EXPECT_EQ(*store_->GetPrimarySettings(zone.id), later);
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, std::nullopt));
  EXPECT_FALSE(store_->GetPrimarySettings(zone.id)->has_value());
}

TEST_P(PrimariesTest, GoWithTheZone) {
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, Sample()));
  ASSERT_TRUE(*store_->DeleteZone(N("example.com.")));
  EXPECT_EQ(Sql("SELECT count(*) FROM primaries"), 0);
}

TEST_P(PrimariesTest, NoPrimaryOrUnknownZoneIsRefused) {
  ZoneInfo zone = Create("example.com.");
  EXPECT_FALSE(store_->SetPrimarySettings(zone.id, PrimarySettings{}));
  auto set = store_->SetPrimarySettings(42, Sample());
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, ErrorCode::kNotFound);
}

TEST_P(PrimariesTest, DamagedRowFailsTheRead) {
  ZoneInfo zone = Create("example.com.");
  ExecRaw("INSERT INTO primaries VALUES(" + std::to_string(zone.id) + ", '127.0.0.1:53,', '', 0)");
  auto settings = store_->GetPrimarySettings(zone.id);
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find(where()), std::string::npos);
}

}  // namespace
}  // namespace tether::store::testing
