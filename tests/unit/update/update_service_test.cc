// UpdateService (update/update_service.h): a request that fails leaves no trace, also when
// it is alone in its batch and runs without a savepoint.
#include <gtest/gtest.h>

#include "update/function_request.h"
#include "update_test_util.h"

namespace tether::update::testing {
namespace {

using UpdateServiceTest = UpdateFixture;

std::vector<zone::Rrset> A(const std::string& address) {
  return {zone::Rrset{dns::RrType::kA, 60, {Rdata(dns::RrType::kA, address)}}};
}

TEST_F(UpdateServiceTest, AFailedLoneRequestLeavesNoTrace) {
  const std::vector<zone::Rrset> apex = zone_->Get(N("example."));
  auto failed = RunInZone(*service_, N("example."), [](ZoneView& view) {
    view.Set(N("new.example."), A("192.0.2.7"));
    view.Set(N("host.example."), {});
    return dns::Rcode::kRefused;
  });
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->rcode, dns::Rcode::kRefused);
  EXPECT_TRUE(zone_->Get(N("new.example.")).empty());
  EXPECT_EQ(zone_->Get(N("host.example.")), A("192.0.2.1"));
  EXPECT_EQ(zone_->Get(N("example.")), apex);  // no new serial

  auto done = RunInZone(*service_, N("example."), [](ZoneView& view) {
    view.Set(N("new.example."), A("192.0.2.7"));
    return dns::Rcode::kNoError;
  });
  ASSERT_TRUE(done);
  EXPECT_EQ(done->rcode, dns::Rcode::kNoError);
  EXPECT_EQ(done->serial, 11u);
  EXPECT_EQ(zone_->Get(N("new.example.")), A("192.0.2.7"));
}

}  // namespace
}  // namespace tether::update::testing
