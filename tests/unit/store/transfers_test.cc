// Zone transfer settings (secondaries, transfer keys and networks) in both stores.
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace tether::store::testing {
namespace {

class TransfersTest : public AnyStoreTest {};
TETHER_BOTH_STORES(TransfersTest);

TransferSettings Sample() {
  TransferSettings settings;
  settings.secondaries = {{"127.0.0.1:5300", N("xfr.key.")}, {"[::1]:53", std::nullopt}};
  settings.keys = {N("pull.key.")};
  settings.cidrs = {"192.0.2.0/24", "2001:db8::/32"};
  return settings;
}

TEST_P(TransfersTest, NewZoneHasNone) {
  ZoneInfo zone = Create("example.com.");
  auto settings = store_->GetTransferSettings(zone.id);
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ(*settings, TransferSettings{});
}

TEST_P(TransfersTest, RoundTripAcrossReopen) {
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->SetTransferSettings(zone.id, Sample()));
  EXPECT_EQ(*store_->GetTransferSettings(zone.id), Sample());
  Reopen();
  EXPECT_EQ(*store_->GetTransferSettings(zone.id), Sample());
}

TEST_P(TransfersTest, SetReplacesTheWhole) {
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->SetTransferSettings(zone.id, Sample()));
  TransferSettings fewer;
  fewer.cidrs = {"10.0.0.0/8"};
  ASSERT_TRUE(store_->SetTransferSettings(zone.id, fewer));
  EXPECT_EQ(*store_->GetTransferSettings(zone.id), fewer);
}

TEST_P(TransfersTest, SettingsArePerZoneAndGoWithTheZone) {
  ZoneInfo a = Create("a.example.");
  ZoneInfo b = Create("b.example.");
  ASSERT_TRUE(store_->SetTransferSettings(a.id, Sample()));
  EXPECT_EQ(*store_->GetTransferSettings(b.id), TransferSettings{});
  ASSERT_TRUE(*store_->DeleteZone(N("a.example.")));
  EXPECT_EQ(Sql("SELECT count(*) FROM transfer_peers"), 0);
}

TEST_P(TransfersTest, UnknownZoneIsNotFound) {
  auto set = store_->SetTransferSettings(42, Sample());
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, ErrorCode::kNotFound);
}

TEST_P(TransfersTest, BadNetworkIsRefused) {
  ZoneInfo zone = Create("example.com.");
  TransferSettings bad;
  bad.cidrs = {"not-a-network"};
  EXPECT_FALSE(store_->SetTransferSettings(zone.id, bad));
}

TEST_P(TransfersTest, DamagedRowFailsTheRead) {
  ZoneInfo zone = Create("example.com.");
  ExecRaw("INSERT INTO transfer_peers(zone_id, kind, value, key_name) VALUES(" +
          std::to_string(zone.id) + ", 'key', 'no-final-dot', '')");
  auto settings = store_->GetTransferSettings(zone.id);
  ASSERT_FALSE(settings);
  EXPECT_NE(settings.error().message.find(where()), std::string::npos);
}

}  // namespace
}  // namespace tether::store::testing
