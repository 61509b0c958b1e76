// A secondary zone's primaries (PrimarySettings) in the SQLite store.
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace tether::store::testing {
namespace {

using PrimariesTest = StoreTest;

PrimarySettings Sample() {
  PrimarySettings settings;
  settings.primaries = {"127.0.0.1:5300", "[::1]:53"};
  settings.key = N("xfr.key.");
  settings.refreshed = 1700000000;
  return settings;
}

TEST_F(PrimariesTest, NewZoneIsNoSecondary) {
  ZoneInfo zone = Create("example.com.");
  auto settings = store_->GetPrimarySettings(zone.id);
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_FALSE(settings->has_value());
}

TEST_F(PrimariesTest, RoundTripAcrossReopen) {
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, Sample()));
  EXPECT_EQ(*store_->GetPrimarySettings(zone.id), Sample());
  Reopen();
  EXPECT_EQ(*store_->GetPrimarySettings(zone.id), Sample());
}

TEST_F(PrimariesTest, SetAgainReplacesAndNulloptDeletes) {
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, Sample()));
  PrimarySettings later{{"192.0.2.1:53"}, std::nullopt, 1700000100};
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, later));
  EXPECT_EQ(*store_->GetPrimarySettings(zone.id), later);
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, std::nullopt));
  EXPECT_FALSE(store_->GetPrimarySettings(zone.id)->has_value());
}

TEST_F(PrimariesTest, GoWithTheZone) {
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, Sample()));
  ASSERT_TRUE(*store_->DeleteZone(N("example.com.")));
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM primaries"), 0);
}

TEST_F(PrimariesTest, NoPrimaryOrUnknownZoneIsRefused) {
  ZoneInfo zone = Create("example.com.");
  EXPECT_FALSE(store_->SetPrimarySettings(zone.id, PrimarySettings{}));
  auto set = store_->SetPrimarySettings(42, Sample());
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, ErrorCode::kNotFound);
}

TEST_F(PrimariesTest, DamagedRowFailsTheRead) {
  ZoneInfo zone = Create("example.com.");
  ExecSql(path(), "INSERT INTO primaries VALUES(" + std::to_string(zone.id) + ", '127.0.0.1:53,', '', 0)");
  auto settings = store_->GetPrimarySettings(zone.id);
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find(path()), std::string::npos);
}

}  // namespace
}  // namespace tether::store::testing
