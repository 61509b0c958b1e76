// HostUpdateRequest through the real update path.
#include "ddns/host_update.h"

#include <future>

#include "update/zone_view.h"

#include <gtest/gtest.h>

#include "../update/update_test_util.h"

namespace tether::ddns {
namespace {

using update::testing::N;
using update::testing::Rdata;
using Result = HostOutcome::Result;

class HostUpdateTest : public update::testing::UpdateFixture {
 protected:
  std::vector<HostOutcome> Run(std::vector<HostChange> changes) {
    std::promise<std::vector<HostOutcome>> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(service_->Submit(N("example."), std::make_unique<HostUpdateRequest>(
                                                    std::move(changes), [&](std::vector<HostOutcome> outcomes) {
                                                      promise.set_value(std::move(outcomes));
                                                    })));
    return future.get();
  }
  static HostChange Change(const std::string& fqdn) {
    HostChange change;
    change.fqdn = N(fqdn);
    return change;
  }
  static AddressChange Set(const char* text) {
    AddressChange change;
    change.kind = AddressChange::Kind::kSet;
    ParseAddress(text, &change.address);
    return change;
  }
};

TEST_F(HostUpdateTest, NewAddressIsGoodThenNochg) {
  HostChange change = Change("host.example.");
  change.ipv4 = Set("198.51.100.7");
  auto first = Run({change});
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].result, Result::kGood);
  EXPECT_EQ(first[0].addresses, "198.51.100.7");
  EXPECT_EQ(first[0].before, "A 192.0.2.1");
  auto second = Run({change});
  EXPECT_EQ(second[0].result, Result::kNochg);
}

TEST_F(HostUpdateTest, AHostRefusedOnTheUpdaterIsNotChanged) {
  HostChange refused = Change("host.example.");
  refused.ipv4 = Set("198.51.100.7");
  HostChange other = Change("other.example.");
  other.ipv4 = Set("198.51.100.8");
  std::promise<std::vector<HostOutcome>> promise;
  auto future = promise.get_future();
  ASSERT_TRUE(service_->Submit(
      N("example."),
      std::make_unique<HostUpdateRequest>(
          std::vector<HostChange>{refused, other},
          [&](std::vector<HostOutcome> outcomes) { promise.set_value(std::move(outcomes)); },
          [](const dns::Name& fqdn) { return fqdn == N("host.example."); })));
  auto outcomes = future.get();
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].result, Result::kRefused);
  EXPECT_EQ(outcomes[0].before, "A 192.0.2.1");
  EXPECT_EQ(outcomes[1].result, Result::kGood);
  ASSERT_NE(Find("host.example.", dns::RrType::kA), nullptr);
  EXPECT_EQ(Find("host.example.", dns::RrType::kA)->rdatas, std::vector<std::vector<uint8_t>>{Rdata(dns::RrType::kA, "192.0.2.1")});
}

// A request the update path does not take (its zone is not served, e.g. removed meanwhile)
// still answers: dnserr for every host, once.
TEST_F(HostUpdateTest, ARequestNotTakenAnswersDnserr) {
  HostChange change = Change("host.elsewhere.");
  change.ipv4 = Set("198.51.100.7");
  int calls = 0;
  std::vector<HostOutcome> outcomes;
  EXPECT_FALSE(service_->Submit(
      N("elsewhere."), std::make_unique<HostUpdateRequest>(std::vector<HostChange>{change, change},
                                                           [&](std::vector<HostOutcome> answered) {
                                                             ++calls;
                                                             outcomes = std::move(answered);
                                                           })));
  EXPECT_EQ(calls, 1);
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_EQ(outcomes[0].result, Result::kDnsErr);
  EXPECT_EQ(outcomes[1].result, Result::kDnsErr);
  // Answered through the update path: called once, not again when the request goes.
  auto answered = Run({Change("host.example.")});
  EXPECT_EQ(answered.size(), 1u);
}

TEST_F(HostUpdateTest, DualStackReportsBoth) {
  HostChange change = Change("host.example.");
  change.ipv4 = Set("198.51.100.7");
  change.ipv6 = Set("2001:db8::7");
  auto outcome = Run({change});
  EXPECT_EQ(outcome[0].addresses, "198.51.100.7,2001:db8::7");
  EXPECT_NE(Find("host.example.", dns::RrType::kAaaa), nullptr);
}

TEST_F(HostUpdateTest, PrefixKeepsTheInterfaceIdentifier) {
  HostChange set = Change("host.example.");
  set.ipv6 = Set("2001:db8:9:9::abcd");
  Run({set});
  HostChange prefix = Change("host.example.");
  prefix.ipv6.kind = AddressChange::Kind::kPrefix;
  ParseAddress("2001:db8:1:2::", &prefix.ipv6.address);
  prefix.ipv6.prefix_length = 64;
  auto outcome = Run({prefix});
  EXPECT_EQ(outcome[0].result, Result::kGood);
  EXPECT_EQ(Find("host.example.", dns::RrType::kAaaa)->rdatas.front(), Rdata(dns::RrType::kAaaa, "2001:db8:1:2::abcd"));
}

TEST_F(HostUpdateTest, DeleteRemovesTheFamily) {
  HostChange change = Change("host.example.");
  change.ipv4.kind = AddressChange::Kind::kDelete;
  EXPECT_EQ(Run({change})[0].result, Result::kGood);
  EXPECT_EQ(Find("host.example.", dns::RrType::kA), nullptr);
}

TEST_F(HostUpdateTest, WildcardAddsACnameChild) {
  HostChange change = Change("host.example.");
  change.wildcard = Toggle::kOn;
  EXPECT_EQ(Run({change})[0].result, Result::kGood);
  EXPECT_NE(Find("*.host.example.", dns::RrType::kCname), nullptr);
  change.wildcard = Toggle::kOff;
  Run({change});
  EXPECT_TRUE(Content("*.host.example.").empty());
}

TEST_F(HostUpdateTest, TxtSetAndClear) {
  HostChange change = Change("_acme-challenge.host.example.");
  change.txt = "token-123";
  EXPECT_EQ(Run({change})[0].result, Result::kGood);
  EXPECT_EQ(Find("_acme-challenge.host.example.", dns::RrType::kTxt)->rdatas.front(),
            Rdata(dns::RrType::kTxt, "\"token-123\""));
  HostChange clear = Change("_acme-challenge.host.example.");
  clear.clear_txt = true;
  Run({clear});
  EXPECT_TRUE(Content("_acme-challenge.host.example.").empty());
}

TEST_F(HostUpdateTest, OfflineRemovesAddresses) {
  HostChange change = Change("host.example.");
  change.offline = true;
  EXPECT_EQ(Run({change})[0].result, Result::kGood);
  EXPECT_EQ(Find("host.example.", dns::RrType::kA), nullptr);
}

TEST_F(HostUpdateTest, SeveralHostsInOneRequestShareOneSerial) {
  uint32_t before = Serial();
  HostChange a = Change("a.example.");
  a.ipv4 = Set("198.51.100.1");
  HostChange b = Change("b.example.");
  b.ipv4 = Set("198.51.100.2");
  auto outcome = Run({a, b});
  EXPECT_EQ(outcome[0].result, Result::kGood);
  EXPECT_EQ(outcome[1].result, Result::kGood);
  EXPECT_EQ(Serial(), before + 1);
}

TEST_F(HostUpdateTest, PublishedNochgAnswersOnlyWhenNothingChanges) {
  HostChange same = Change("host.example.");
  same.ipv4 = Set("192.0.2.1");  // what the fixture's zone has
  same.ttl = Content("host.example.")[0].ttl;
  uint32_t before = Serial();
  auto nochg = PublishedNochg(*zone_, {same});
  ASSERT_TRUE(nochg.has_value());
  ASSERT_EQ(nochg->size(), 1u);
  EXPECT_EQ((*nochg)[0].result, Result::kNochg);
  EXPECT_EQ((*nochg)[0].addresses, "192.0.2.1");

  HostChange other = Change("host.example.");
  other.ipv4 = Set("198.51.100.9");
  EXPECT_FALSE(PublishedNochg(*zone_, {same, other}).has_value());  // one change: all go the update path
  EXPECT_EQ(Serial(), before);
  EXPECT_EQ(Find("host.example.", dns::RrType::kA)->rdatas, std::vector<std::vector<uint8_t>>{Rdata(dns::RrType::kA, "192.0.2.1")});
}

// PublishedNochg decides the usual poll from the packed content without decoding it: its
// verdict must be Apply's for every kind of content and request.
TEST(PublishedNochgTest, AgreesWithApply) {
  using dns::RrType;
  const dns::Name origin = N("example.");
  auto rrset = [](RrType type, uint32_t ttl, std::vector<const char*> texts) {
    zone::Rrset out{type, ttl, {}};
    for (const char* text : texts) out.rdatas.push_back(Rdata(type, text));
    return out;
  };
  const std::vector<std::vector<zone::Rrset>> contents = {
      {},
      {rrset(RrType::kA, 60, {"192.0.2.1"})},
      {rrset(RrType::kA, 300, {"192.0.2.1"})},
      {rrset(RrType::kA, 60, {"192.0.2.1", "192.0.2.2"})},
      {rrset(RrType::kAaaa, 60, {"2001:db8::1"})},
      {rrset(RrType::kA, 60, {"192.0.2.1"}), rrset(RrType::kAaaa, 60, {"2001:db8::1"})},
      {rrset(RrType::kA, 60, {"192.0.2.1"}), rrset(RrType::kAaaa, 300, {"2001:db8::1"})},
      {rrset(RrType::kA, 60, {"192.0.2.1"}), rrset(RrType::kTxt, 60, {"\"x\""})},
      {rrset(RrType::kTxt, 60, {"\"x\""})},
  };
  auto family = [](AddressChange::Kind kind, const char* text) {
    AddressChange change;
    change.kind = kind;
    if (text != nullptr) ParseAddress(text, &change.address);
    return change;
  };
  using Kind = AddressChange::Kind;
  const std::vector<AddressChange> v4s = {family(Kind::kUnset, nullptr), family(Kind::kPreserve, nullptr),
                                          family(Kind::kDelete, nullptr), family(Kind::kSet, "192.0.2.1"),
                                          family(Kind::kSet, "192.0.2.2"), family(Kind::kSet, "198.51.100.1")};
  const std::vector<AddressChange> v6s = {family(Kind::kUnset, nullptr), family(Kind::kDelete, nullptr),
                                          family(Kind::kSet, "2001:db8::1"), family(Kind::kSet, "2001:db8::2")};
  int cases = 0;
  for (size_t c = 0; c < contents.size(); ++c) {
    zone::Zone zone(origin);
    std::vector<zone::NameUpdate> names = {
        {origin,
         {rrset(RrType::kSoa, 3600, {"ns1.example. h.example. 1 3600 900 604800 60"}),
          rrset(RrType::kNs, 3600, {"ns1.example."})}}};
    if (!contents[c].empty()) names.push_back({N("host.example."), contents[c]});
    ASSERT_TRUE(zone.Apply(names));
    for (const auto& v4 : v4s) {
      for (const auto& v6 : v6s) {
        for (bool offline : {false, true}) {
          for (uint32_t ttl : {60u, 300u}) {
            HostChange change;
            change.fqdn = N("host.example.");
            change.ipv4 = v4;
            change.ipv6 = v6;
            change.offline = offline;
            change.ttl = ttl;
            update::ZoneView view(zone);
            HostUpdateRequest request({change}, nullptr);
            request.Apply(view);
            const bool apply_nochg = request.outcomes().at(0).result == Result::kNochg;
            auto published = PublishedNochg(zone, {change});
            ASSERT_EQ(published.has_value(), apply_nochg)
                << "content " << c << " v4 kind " << static_cast<int>(v4.kind) << " v6 kind "
                << static_cast<int>(v6.kind) << " offline " << offline << " ttl " << ttl;
            if (published) {
              const HostOutcome& outcome = (*published)[0];
              EXPECT_EQ(outcome.addresses, request.outcomes()[0].addresses);
              EXPECT_EQ(outcome.described ? outcome.before : DescribePublished(zone, change.fqdn),
                        request.outcomes()[0].before);
            }
            ++cases;
          }
        }
      }
    }
  }
  EXPECT_EQ(cases, 9 * 6 * 4 * 2 * 2);
}

}  // namespace
}  // namespace tether::ddns
