// Scanning hosts (abuse/flux_scan.h) with a history reader.
#include "abuse/flux_scan.h"

#include <gtest/gtest.h>

#include <unordered_map>

#include "abuse/flux_mix.h"

namespace tether::abuse {
namespace {

struct Fixture {
  Fixture() : mix(Options()) {
    for (size_t i : {size_t{0}, size_t{1}, size_t{2}, size_t{30}, size_t{31}}) {
      SyntheticHost host = mix.Host(i);
      hosts.push_back(host.host);
      users.push_back(host.owner);
      histories[host.host.id] = host.history;
    }
  }
  static MixOptions Options() {
    MixOptions options;
    options.homes = 30;
    options.flux = 2;
    return options;
  }
  HistoryReader Reader() {
    return [this](const store::HostInfo& host) -> Result<std::vector<store::HistoryEntry>> {
      return histories[host.id];
    };
  }

  FluxMix mix;
  std::vector<store::HostInfo> hosts;
  std::vector<store::UserInfo> users;
  std::unordered_map<int64_t, std::vector<store::HistoryEntry>> histories;
};

TEST(ScanHostsTest, ReturnsTheWatchedHostsHighestScoreFirst) {
  Fixture f;
  auto findings = ScanHosts(f.hosts, f.users, f.Reader(), f.mix.options().now, {}, nullptr);
  ASSERT_TRUE(findings.has_value());
  ASSERT_EQ(findings->size(), 2u);
  EXPECT_EQ((*findings)[0].host.id, 31);  // the two flux hosts
  EXPECT_EQ((*findings)[1].host.id, 32);
  EXPECT_GE((*findings)[0].verdict.score(), (*findings)[1].verdict.score());
  EXPECT_TRUE((*findings)[0].verdict.watch);
}

TEST(ScanHostsTest, AllReturnsEveryHost) {
  Fixture f;
  auto findings = ScanHosts(f.hosts, f.users, f.Reader(), f.mix.options().now, {}, nullptr,
                            ScanOptions{.all = true});
  ASSERT_TRUE(findings.has_value());
  EXPECT_EQ(findings->size(), 5u);
}

TEST(ScanHostsTest, ReaderErrorEndsTheScan) {
  Fixture f;
  HistoryReader failing = [](const store::HostInfo&) -> Result<std::vector<store::HistoryEntry>> {
    return IoError("disk on fire");
  };
  auto findings = ScanHosts(f.hosts, f.users, failing, f.mix.options().now, {}, nullptr);
  ASSERT_FALSE(findings.has_value());
  EXPECT_EQ(findings.error().message, "disk on fire");
}

TEST(ScanHostsTest, MissingOwnerCountsAsANewAccount) {
  Fixture f;
  auto findings = ScanHosts(f.hosts, {}, f.Reader(), f.mix.options().now, {}, nullptr,
                            ScanOptions{.all = true});
  ASSERT_TRUE(findings.has_value());
  for (const Finding& finding : *findings) EXPECT_EQ(finding.features.account_age, 0);
}

}  // namespace
}  // namespace tether::abuse
