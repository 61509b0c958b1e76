// The abuse desk's cases and appeals in both stores (store/abuse_cases.h), through
// Store::cases().
#include <gtest/gtest.h>

#include "store_test_util.h"

namespace tether::store::testing {
namespace {

class AbuseCaseStoreTest : public AnyStoreTest {
 protected:
  AbuseCaseStore& cases() { return store_->cases(); }

  AbuseCase AddCase(const std::string& name, int64_t created) {
    AbuseCase report;
    report.created = created;
    report.name = name;
    report.category = "phishing";
    report.evidence = "https://evidence.example/" + name;
    report.contact = "reporter@example.org";
    report.source = "192.0.2.9";
    auto stored = cases().CreateCase(report);
    EXPECT_TRUE(stored) << stored.error().message;
    return stored ? *stored : AbuseCase();
  }

  Appeal AddAppeal(const std::string& name, int64_t user_id) {
    Appeal appeal;
    appeal.created = 1800000100;
    appeal.name = name;
    appeal.user_id = user_id;
    appeal.text = "my host was cleaned";
    appeal.state = "enforced";
    appeal.order = 12;
    auto stored = cases().CreateAppeal(appeal);
    EXPECT_TRUE(stored) << stored.error().message;
    return stored ? *stored : Appeal();
  }
};

TEST_P(AbuseCaseStoreTest, CreatedCaseIsReadBackAsStored) {
  AbuseCase report = AddCase("bad.dyn.example.", 1800000000);
  ASSERT_GT(report.id, 0);
  auto read = cases().GetCase(report.id);
  ASSERT_TRUE(read && read->has_value()) << (read ? "none" : read.error().message);
  EXPECT_EQ(**read, report);
  EXPECT_EQ((*read)->state, CaseState::kOpen);
  auto missing = cases().GetCase(report.id + 100);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_P(AbuseCaseStoreTest, UpdateCaseChangesStateNoteAndWhoOnly) {
  AbuseCase report = AddCase("bad.dyn.example.", 1800000000);
  AbuseCase changed = report;
  changed.state = CaseState::kActing;
  changed.note = "order 3";
  changed.updated_by = "carol";
  changed.updated = 1800000500;
  changed.evidence = "not stored";
  ASSERT_TRUE(cases().UpdateCase(changed));
  auto read = cases().GetCase(report.id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ((*read)->state, CaseState::kActing);
  EXPECT_EQ((*read)->note, "order 3");
  EXPECT_EQ((*read)->updated_by, "carol");
  EXPECT_EQ((*read)->updated, 1800000500);
  EXPECT_EQ((*read)->evidence, report.evidence);
  changed.id += 100;
  auto missing = cases().UpdateCase(changed);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST_P(AbuseCaseStoreTest, ListCasesIsNewestFirstAndFiltersByState) {
  AbuseCase first = AddCase("a.dyn.example.", 1800000000);
  AbuseCase second = AddCase("b.dyn.example.", 1800000010);
  AbuseCase closed = second;
  closed.state = CaseState::kClosed;
  ASSERT_TRUE(cases().UpdateCase(closed));
  auto all = cases().ListCases(std::nullopt);
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, second.id);
  EXPECT_EQ((*all)[1].id, first.id);
  auto open = cases().ListCases(CaseState::kOpen);
  ASSERT_TRUE(open);
  ASSERT_EQ(open->size(), 1u);
  EXPECT_EQ((*open)[0].id, first.id);
  auto acting = cases().ListCases(CaseState::kActing);
  ASSERT_TRUE(acting);
  EXPECT_TRUE(acting->empty());
}

TEST_P(AbuseCaseStoreTest, AppealsAreStoredDecidedAndListedPerUser) {
  Appeal mine = AddAppeal("home.dyn.example.", 7);
  Appeal other = AddAppeal("cam.dyn.example.", 8);
  auto read = cases().GetAppeal(mine.id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ(**read, mine);
  EXPECT_EQ((*read)->decision, AppealDecision::kPending);

  Appeal decided = mine;
  decided.decision = AppealDecision::kReversed;
  decided.note = "cleaned up";
  decided.decided_by = "carol";
  decided.decided = 1800000900;
  ASSERT_TRUE(cases().UpdateAppeal(decided));
  read = cases().GetAppeal(mine.id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ(**read, decided);

  auto of_seven = cases().ListAppeals(7);
  ASSERT_TRUE(of_seven) << of_seven.error().message;
  ASSERT_EQ(of_seven->size(), 1u);
  EXPECT_EQ((*of_seven)[0].id, mine.id);
  auto all = cases().ListAppeals(std::nullopt);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[0].id, other.id);
  decided.id += 100;
  EXPECT_FALSE(cases().UpdateAppeal(decided));
}

TEST_P(AbuseCaseStoreTest, CasesSurviveReopen) {
  AbuseCase report = AddCase("bad.dyn.example.", 1800000000);
  Reopen();
  auto read = cases().GetCase(report.id);
  ASSERT_TRUE(read && read->has_value());
  EXPECT_EQ(**read, report);
}

TETHER_BOTH_STORES(AbuseCaseStoreTest);

}  // namespace
}  // namespace tether::store::testing
