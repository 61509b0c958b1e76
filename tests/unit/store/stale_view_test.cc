// ZoneChange::base_journal_seq in both stores: a change made on the zone's current journal
// sequence commits, one made on an older view is refused (kAborted) and writes nothing, and a
// change without a base commits as before.
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace tether::store::testing {
namespace {

class StaleViewTest : public AnyStoreTest {
 protected:
  std::vector<zone::Rrset> Load(const ZoneInfo& zone, const std::string& host) {
    Settle();
    const dns::Name name = N(host + "." + zone.origin.ToText());
    std::vector<zone::Rrset> found;
    EXPECT_TRUE(store_->LoadZone(zone.id, [&](zone::NameUpdate&& update) {
      if (update.name == name) found = std::move(update.rrsets);
    }));
    return found;
  }

  static ZoneChange On(ZoneChange change, uint64_t base) {
    change.base_journal_seq = base;
    return change;
  }
};
TETHER_BOTH_STORES(StaleViewTest);

TEST_P(StaleViewTest, ChangeMadeOnTheCurrentJournalCommits) {
  ZoneInfo zone = Create("example.com.", 10);
  auto first = store_->Commit(On(SetA(zone, "www", A(1, 1, 1, 1)), 0));
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->journal_seq, 1u);
  auto second = store_->Commit(On(SetA(zone, "www", A(2, 2, 2, 2), A(1, 1, 1, 1)), 1));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->journal_seq, 2u);
  EXPECT_EQ(second->new_serial, 12u);
}

TEST_P(StaleViewTest, ChangeMadeOnAnOlderJournalIsRefusedAndWritesNothing) {
  ZoneInfo zone = Create("example.com.", 10);
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));
  // Made on the content before that commit, as a node that had not heard of it would.
  auto stale = store_->Commit(On(SetA(zone, "www", A(2, 2, 2, 2)), 0));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::kAborted);
  EXPECT_EQ(stale.error().message,
            "zone example.com. changed meanwhile (journal 1, the change was made on 0)");

  auto info = store_->GetZone(zone.origin);
  ASSERT_TRUE(info && *info);
  EXPECT_EQ((*info)->journal_seq, 1u);
  EXPECT_EQ((*info)->serial, 11u);
  auto journal = store_->ReadJournal(zone.id, 0);
  ASSERT_TRUE(journal);
  EXPECT_EQ(journal->size(), 1u);
  EXPECT_EQ(Load(zone, "www"), std::vector<zone::Rrset>{ARrset(A(1, 1, 1, 1))});
}

TEST_P(StaleViewTest, BaseAheadOfTheZoneIsRefused) {
  ZoneInfo zone = Create("example.com.", 10);
  auto ahead = store_->Commit(On(SetA(zone, "www", A(1, 1, 1, 1)), 5));
  ASSERT_FALSE(ahead);
  EXPECT_EQ(ahead.error().code, ErrorCode::kAborted);
  EXPECT_EQ((*store_->GetZone(zone.origin))->journal_seq, 0u);
}

TEST_P(StaleViewTest, ChangeWithoutABaseCommitsWhateverTheJournal) {
  ZoneInfo zone = Create("example.com.", 10);
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(2, 2, 2, 2), A(1, 1, 1, 1))));
  auto result = store_->Commit(SetA(zone, "mail", A(3, 3, 3, 3)));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->journal_seq, 3u);
  EXPECT_EQ(Load(zone, "mail"), std::vector<zone::Rrset>{ARrset(A(3, 3, 3, 3))});
}

// Stale and current changes in one group transaction (CommitInOneGroup): only the stale
// ones fail.
TEST_P(StaleViewTest, StaleChangeDoesNotFailItsGroup) {
  constexpr size_t kWaiting = 4;
  ZoneInfo zone = Create("example.com.", 10, static_cast<int>(kWaiting));
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));  // journal 1

  // Even: no base; odd: made on journal 0, which the zone has left.
  auto results = CommitInOneGroup(kWaiting, [&](size_t i) {
    ZoneChange change = SetA(zone, "host" + std::to_string(i), A(1, 1, 1, static_cast<uint8_t>(i)),
                             A(10, 0, 0, static_cast<uint8_t>(i)));
    if (i % 2 == 1) change.base_journal_seq = 0;
    return change;
  });

  for (size_t i = 0; i < kWaiting; ++i) {
    if (i % 2 == 1) {
      ASSERT_FALSE(results[i]) << i;
      EXPECT_EQ(results[i].error().code, ErrorCode::kAborted) << i;
    } else {
      EXPECT_TRUE(results[i]) << i << ": " << results[i].error().message;
    }
  }
  EXPECT_EQ((*store_->GetZone(zone.origin))->journal_seq, 3u);
  EXPECT_EQ(Load(zone, "host0"), std::vector<zone::Rrset>{ARrset(A(1, 1, 1, 0))});
  EXPECT_EQ(Load(zone, "host1"), std::vector<zone::Rrset>{ARrset(A(10, 0, 0, 1))});
}

}  // namespace
}  // namespace tether::store::testing
