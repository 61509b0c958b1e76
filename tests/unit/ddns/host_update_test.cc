// HostUpdateRequest through the real update path.
#include "ddns/host_update.h"

#include <future>

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

}  // namespace
}  // namespace tether::ddns
