// Feature extraction and scoring of the flux detector (abuse/flux.h) on hand-made histories.
#include "abuse/flux.h"

#include <gtest/gtest.h>

#include <map>

namespace tether::abuse {
namespace {

constexpr int64_t kNow = 1798761600;
constexpr int64_t kHour = 3600;

store::HistoryEntry Row(int64_t ago, std::string source, std::string value, std::string result) {
  store::HistoryEntry entry;
  entry.time = kNow - ago;
  entry.source = std::move(source);
  entry.new_value = std::move(value);
  entry.result = std::move(result);
  return entry;
}

store::HostInfo Host(const std::string& fqdn) {
  store::HostInfo host;
  host.id = 7;
  host.fqdn = *dns::Name::FromText(fqdn);
  host.created = kNow - 400 * kDaySeconds;
  return host;
}

store::UserInfo Owner(int64_t age) {
  store::UserInfo user;
  user.created = kNow - age;
  return user;
}

// One A record per row from a distinct /16 each, sent by one controller.
std::vector<store::HistoryEntry> FluxRows(int count, int64_t spacing) {
  std::vector<store::HistoryEntry> rows;
  for (int i = 0; i < count; ++i) {
    std::string address = std::to_string(20 + i) + "." + std::to_string(i) + ".3.4";
    rows.push_back(Row(i * spacing + 1, "203.0.113.5", "A " + address, "good"));
  }
  return rows;
}

class FakeAsns : public AsnLookup {
 public:
  std::optional<uint32_t> Lookup(const IpAddress& address) const override {
    auto it = asns.find(address.to_string());
    if (it == asns.end()) return std::nullopt;
    return it->second;
  }
  std::map<std::string, uint32_t> asns;
};

TEST(ExtractFeaturesTest, HomeWithTwoChangesAndPolls) {
  std::vector<store::HistoryEntry> rows = {
      Row(6 * kDaySeconds, "198.51.100.7", "A 198.51.100.7 AAAA 2001:db8:1::1", "nochg"),
      Row(3 * kDaySeconds, "198.51.100.7", "A 198.51.7.9 AAAA 2001:db8:1::1",
          "good (after 4 nochg)"),
      Row(2 * kHour, "198.51.7.9", "A 198.51.7.9 AAAA 2001:db8:1::1", "nochg (+11 before)"),
      Row(1 * kHour, "198.51.7.9", "A 198.51.8.1 AAAA 2001:db8:1::1", "good"),
  };
  HostFeatures features = ExtractFeatures(Host("smith-nas.dyn.example.net."),
                                          Owner(900 * kDaySeconds), rows, kNow, nullptr);
  EXPECT_EQ(features.week.addresses, 4u);  // three IPv4 and one IPv6
  EXPECT_EQ(features.week.prefixes, 4u);   // 198.51.100/24, 198.51.7/24, 198.51.8/24, one /48
  EXPECT_EQ(features.week.asns, 1u);       // estimated: one /16, one /32
  EXPECT_TRUE(features.asn_estimated);
  EXPECT_EQ(features.week.changes, 2);
  EXPECT_EQ(features.week.nochg, 1 + 4 + 12);
  EXPECT_EQ(features.day.addresses, 3u);
  EXPECT_EQ(features.day.changes, 1);
  EXPECT_EQ(features.day.nochg, 12);
  // The second row was sent from the old address: outside the published /24.
  EXPECT_EQ(features.week.compared, 4);
  EXPECT_EQ(features.week.source_elsewhere, 2);
  EXPECT_EQ(features.label, "smith-nas");
  EXPECT_EQ(features.account_age, 900 * kDaySeconds);
}

TEST(ExtractFeaturesTest, IgnoresRowsOutsideTheWeekAndRefusals) {
  std::vector<store::HistoryEntry> rows = {
      Row(8 * kDaySeconds, "192.0.2.1", "A 192.0.2.1", "good"),
      Row(-kHour, "192.0.2.2", "A 192.0.2.2", "good"),  // in the future
      Row(kHour, "192.0.2.3", "A 192.0.2.3", "badauth"),
      Row(kHour, "192.0.2.4", "A 192.0.2.4", "abuse: host frozen"),
  };
  HostFeatures features =
      ExtractFeatures(Host("a.dyn.example.net."), Owner(kWeekSeconds), rows, kNow, nullptr);
  EXPECT_EQ(features.week.addresses, 0u);
  EXPECT_EQ(features.week.refused, 2);
  EXPECT_EQ(features.week.changes, 0);
}

TEST(ExtractFeaturesTest, UsesTheAsnLookupWhenGiven) {
  FakeAsns asns;
  asns.asns = {{"20.0.3.4", 64500}, {"21.1.3.4", 64500}, {"22.2.3.4", 64501}};
  std::vector<store::HistoryEntry> rows = FluxRows(4, kHour);  // the fourth has no ASN
  HostFeatures features =
      ExtractFeatures(Host("a.dyn.example.net."), Owner(kWeekSeconds), rows, kNow, &asns);
  EXPECT_FALSE(features.asn_estimated);
  EXPECT_EQ(features.day.addresses, 4u);
  EXPECT_EQ(features.day.asns, 2u);
}

TEST(ExtractFeaturesTest, EstimateIsTheLargerFamilyCount) {
  std::vector<store::HistoryEntry> rows = {
      Row(kHour, "192.0.2.1", "A 192.0.2.1 AAAA 2001:db8::1", "good"),
      Row(2 * kHour, "192.0.2.1", "A 192.1.2.1 AAAA 2001:db9::1", "good"),
      Row(3 * kHour, "192.0.2.1", "A 192.0.2.9 AAAA 2001:dba::1", "good"),
  };
  HostFeatures features =
      ExtractFeatures(Host("a.dyn.example.net."), Owner(kWeekSeconds), rows, kNow, nullptr);
  EXPECT_EQ(features.day.asns, 3u);  // two IPv4 /16s, three IPv6 /32s
}

TEST(ExtractFeaturesTest, HostnameFeatures) {
  HostFeatures features =
      ExtractFeatures(Host("Q7xk2m9v.dyn.example.net."), Owner(0), {}, kNow, nullptr);
  EXPECT_EQ(features.label, "q7xk2m9v");
  EXPECT_EQ(features.name.length, 8u);
  EXPECT_DOUBLE_EQ(features.name.digit_ratio, 3.0 / 8);
  EXPECT_DOUBLE_EQ(features.name.entropy, 3.0);  // eight distinct characters
}

TEST(ScoreTest, FastFluxIsWatchedWithTheCountsInTheReason) {
  HostFeatures features = ExtractFeatures(Host("a.dyn.example.net."), Owner(400 * kDaySeconds),
                                          FluxRows(31, 1800), kNow, nullptr);
  FluxVerdict verdict = Score(features);
  EXPECT_DOUBLE_EQ(verdict.day_score, 1.32 * 31 + 18.54 * 31);
  EXPECT_TRUE(verdict.watch);
  ASSERT_FALSE(verdict.reasons.empty());
  EXPECT_EQ(verdict.reasons[0],
            "flux score 615.7 > 142.38: 31 addresses, 31 prefixes, 31 networks (/16, /32) in 24 h");
  EXPECT_FALSE(verdict.enforce.has_value());
}

TEST(ScoreTest, SlowFluxIsWatchedOnTheWeek) {
  HostFeatures features = ExtractFeatures(Host("a.dyn.example.net."), Owner(400 * kDaySeconds),
                                          FluxRows(12, 12 * kHour), kNow, nullptr);
  FluxVerdict verdict = Score(features);
  EXPECT_LT(verdict.day_score, 142.38);
  EXPECT_TRUE(verdict.watch);
  EXPECT_NE(verdict.reasons[0].find("in 7 days"), std::string::npos) << verdict.reasons[0];
}

TEST(ScoreTest, HomeIsNotWatched) {
  std::vector<store::HistoryEntry> rows;
  for (int day = 0; day < 7; ++day) {
    std::string address = "198.51." + std::to_string(day) + ".7";
    rows.push_back(
        Row(day * kDaySeconds + 1, address, "A " + address + " AAAA 2001:db8:1::1", "good"));
  }
  FluxVerdict verdict = Score(ExtractFeatures(Host("smith-nas.dyn.example.net."),
                                              Owner(2 * kDaySeconds), rows, kNow, nullptr));
  EXPECT_FALSE(verdict.watch) << verdict.Summary();
  EXPECT_TRUE(verdict.reasons.empty());
}

TEST(ScoreTest, YoungAccountIsWatchedAtHalfTheThreshold) {
  std::vector<store::HistoryEntry> rows = FluxRows(4, kDaySeconds);  // 4 * 19.86 = 79.4
  store::HostInfo host = Host("a.dyn.example.net.");
  EXPECT_FALSE(Score(ExtractFeatures(host, Owner(30 * kDaySeconds), rows, kNow, nullptr)).watch);
  FluxVerdict verdict = Score(ExtractFeatures(host, Owner(2 * kDaySeconds), rows, kNow, nullptr));
  EXPECT_TRUE(verdict.watch);
  EXPECT_NE(verdict.reasons[0].find("account 2.0 days old"), std::string::npos)
      << verdict.reasons[0];
}

TEST(ScoreTest, ChangeRateAboveTheLimitIsWatched) {
  std::vector<store::HistoryEntry> rows;
  for (int i = 0; i < 60; ++i) {
    rows.push_back(Row(i * 600 + 1, "192.0.2.1", i % 2 ? "A 192.0.2.1" : "A 192.0.2.2", "good"));
  }
  FluxVerdict verdict = Score(
      ExtractFeatures(Host("a.dyn.example.net."), Owner(kWeekSeconds * 9), rows, kNow, nullptr));
  EXPECT_TRUE(verdict.watch);
  EXPECT_EQ(verdict.reasons[0], "60 address changes in 24 h > 48");
}

TEST(ScoreTest, UpdatesFromElsewhereAcrossManyNetworksAreWatched) {
  std::vector<store::HistoryEntry> rows = FluxRows(5, kDaySeconds);
  for (int i = 0; i < 6; ++i)
    rows.push_back(Row(i * kHour + 1, "203.0.113.5", "A 20.0.3.4", "nochg"));
  DetectionRules rules;
  rules.flux_threshold_week = 1000;  // only the rule on the source is left
  FluxVerdict verdict = Score(
      ExtractFeatures(Host("a.dyn.example.net."), Owner(kWeekSeconds * 9), rows, kNow, nullptr),
      rules);
  EXPECT_TRUE(verdict.watch);
  EXPECT_NE(verdict.reasons[0].find("100% of 11 updates in 7 days sent from outside"),
            std::string::npos)
      << verdict.reasons[0];
}

TEST(ScoreTest, BlockedWordIsWatched) {
  FluxVerdict verdict = Score(ExtractFeatures(Host("secure-PayPal-check.dyn.example.net."),
                                              Owner(kWeekSeconds * 9), {}, kNow, nullptr));
  EXPECT_TRUE(verdict.watch);
  EXPECT_EQ(verdict.reasons[0], "host name contains 'paypal'");
}

TEST(ScoreTest, EnforcementOnlyThroughAnOperatorRuleInForce) {
  HostFeatures features = ExtractFeatures(Host("a.dyn.example.net."), Owner(400 * kDaySeconds),
                                          FluxRows(31, 1800), kNow, nullptr);
  DetectionRules rules;
  rules.enforcement = EnforcementRule{300, store::AbuseState::kFrozen, kNow + kDaySeconds, "alice"};
  FluxVerdict verdict = Score(features, rules);
  ASSERT_TRUE(verdict.enforce.has_value());
  EXPECT_EQ(*verdict.enforce, store::AbuseState::kFrozen);
  EXPECT_NE(verdict.Summary().find("operator rule by alice"), std::string::npos);

  rules.enforcement->expires = kNow;  // expired
  EXPECT_FALSE(Score(features, rules).enforce.has_value());
  rules.enforcement->expires = kNow + kDaySeconds;
  rules.enforcement->min_score = 1000;  // above this host's score
  EXPECT_FALSE(Score(features, rules).enforce.has_value());
}

}  // namespace
}  // namespace tether::abuse
