// Per-name and per-zone query counters (node.h, zone.h): windows of kQueryWindowSeconds.
#include <gtest/gtest.h>

#include "dns/rdata.h"
#include "zone/node.h"
#include "zone/zone.h"

namespace tether::zone {
namespace {

constexpr uint64_t kStart = 1800000000;  // a multiple of the window

TEST(QueryRateTest, CountsTheCurrentAndThePreviousWindow) {
  ASSERT_EQ(kStart % kQueryWindowSeconds, 0u);
  const uint32_t window = QueryWindow(kStart);
  EXPECT_DOUBLE_EQ(QueryRate(window, 50, 100, kStart + 5.0), 150.0 / 15.0);
  EXPECT_DOUBLE_EQ(QueryRate(window, 50, 100, kStart + kQueryWindowSeconds + 5.0), 50.0 / 15.0);
  EXPECT_DOUBLE_EQ(QueryRate(window, 50, 100, kStart + 2 * kQueryWindowSeconds + 1.0), 0.0);
}

TEST(QueryRateTest, ZoneAndNameCounters) {
  Zone zone(*dns::Name::FromText("dyn.example."));
  const dns::Name host = *dns::Name::FromText("host.dyn.example.");
  ASSERT_TRUE(zone.Apply({{host, {Rrset{dns::RrType::kA, 60, {*dns::RdataFromString(dns::RrType::kA, "192.0.2.1", {})}}}}}));
  const Node* node = nullptr;
  {
    char buffer[dns::Name::kMaxWire];
    const std::string_view key = host.LowercaseKey(buffer);
    const auto* relative = reinterpret_cast<const uint8_t*>(key.data());
    const size_t size = key.size() - zone.origin().size();
    node = zone.Find(relative, size, NodeTable::Hash(relative, size));
  }
  ASSERT_NE(node, nullptr);
  for (int i = 0; i < 30; ++i) {
    node->CountQuery(QueryWindow(kStart));
    zone.CountQuery(QueryWindow(kStart));
  }
  for (int i = 0; i < 20; ++i) {
    node->CountQuery(QueryWindow(kStart + kQueryWindowSeconds));
    zone.CountQuery(QueryWindow(kStart + kQueryWindowSeconds));
  }
  const double now = kStart + kQueryWindowSeconds + 5.0;
  EXPECT_DOUBLE_EQ(zone.RecentQueryRate(host, now), 50.0 / 15.0);
  EXPECT_DOUBLE_EQ(zone.RecentQueryRate(now), 50.0 / 15.0);
  EXPECT_DOUBLE_EQ(zone.RecentQueryRate(*dns::Name::FromText("other.dyn.example."), now), 0.0);
  // Long after: nothing recent.
  EXPECT_DOUBLE_EQ(zone.RecentQueryRate(host, now + 100), 0.0);
  // A count saturates instead of wrapping.
  for (int i = 0; i < 70000; ++i) node->CountQuery(QueryWindow(kStart + 50));
  EXPECT_EQ(node->queries.load(), UINT16_MAX);
}

}  // namespace
}  // namespace tether::zone
