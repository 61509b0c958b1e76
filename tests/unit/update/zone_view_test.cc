// ZoneView (update/zone_view.h): reads through savepoints, and the changes it collects are
// against the published zone, whatever the view read or set on the way.
#include "update/zone_view.h"

#include <gtest/gtest.h>

#include "update_test_util.h"

namespace tether::update::testing {
namespace {

std::vector<zone::Rrset> A(const std::string& address) {
  return {zone::Rrset{dns::RrType::kA, 60, {Rdata(dns::RrType::kA, address)}}};
}

class ZoneViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::vector<zone::Rrset> apex = {
        {dns::RrType::kSoa, 3600, {Rdata(dns::RrType::kSoa, "ns.example. host.example. 1 3600 900 1209600 60")}},
        {dns::RrType::kNs, 3600, {Rdata(dns::RrType::kNs, "ns.example.")}}};
    ASSERT_TRUE(zone_.Apply({{N("example."), apex}, {a_, A("192.0.2.1")}, {b_, A("192.0.2.2")}}));
  }

  zone::Zone zone_{N("example.")};
  const dns::Name a_ = N("a.example.");
  const dns::Name b_ = N("b.example.");
  const dns::Name c_ = N("c.example.");
};

TEST_F(ZoneViewTest, ReadsAreCaseInsensitiveAndSavepointsMergeOrVanish) {
  ZoneView view(zone_);
  EXPECT_EQ(view.Get(N("A.Example.")), A("192.0.2.1"));
  {
    ZoneView savepoint(view);
    savepoint.Set(N("A.EXAMPLE."), A("192.0.2.3"));
    EXPECT_EQ(savepoint.Get(a_), A("192.0.2.3"));
    EXPECT_EQ(view.Get(a_), A("192.0.2.1"));  // not merged yet
    savepoint.MergeIntoParent();
  }
  EXPECT_EQ(view.Get(a_), A("192.0.2.3"));
  {
    ZoneView dropped(view);  // a failed request: never merged
    dropped.Set(c_, A("192.0.2.5"));
  }
  EXPECT_TRUE(view.Get(c_).empty());
  EXPECT_EQ(zone_.Get(a_), A("192.0.2.1"));  // the published zone is untouched
}

TEST_F(ZoneViewTest, ChangesAreAgainstThePublishedContent) {
  ZoneView view(zone_);
  // a: read, changed through a savepoint, then set back: no change in the end.
  EXPECT_EQ(view.Get(a_), A("192.0.2.1"));
  {
    ZoneView savepoint(view);
    savepoint.Set(a_, A("192.0.2.3"));
    savepoint.MergeIntoParent();
  }
  view.Set(a_, A("192.0.2.1"));
  // b: set twice, never read.
  view.Set(b_, A("192.0.2.7"));
  view.Set(b_, A("192.0.2.4"));
  // c: read (nothing there), then created.
  EXPECT_TRUE(view.Get(c_).empty());
  view.Set(c_, A("192.0.2.5"));

  ZoneView::Changes changes = view.CollectChanges();
  ASSERT_EQ(changes.names.size(), 2u);
  EXPECT_EQ(changes.names[0].name, b_);
  EXPECT_EQ(changes.names[0].rrsets, A("192.0.2.4"));
  EXPECT_EQ(changes.names[1].name, c_);
  const std::vector<store::JournalRr> removed = {{b_, dns::RrType::kA, 60, Rdata(dns::RrType::kA, "192.0.2.2")}};
  const std::vector<store::JournalRr> added = {{b_, dns::RrType::kA, 60, Rdata(dns::RrType::kA, "192.0.2.4")},
                                               {c_, dns::RrType::kA, 60, Rdata(dns::RrType::kA, "192.0.2.5")}};
  EXPECT_EQ(changes.removed, removed);
  EXPECT_EQ(changes.added, added);
}

}  // namespace
}  // namespace tether::update::testing
