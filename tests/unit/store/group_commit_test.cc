// Group commit: concurrent Commit calls share transactions, and one failing change does
// not fail the others of its group.
#include <algorithm>
#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace tether::store::testing {
namespace {

class GroupCommitTest : public AnyStoreTest {};
TETHER_BOTH_STORES(GroupCommitTest);

TEST_P(GroupCommitTest, ConcurrentCommitsGetDistinctConsecutiveSerials) {
  ZoneInfo zone = Create("example.com.", 100);
  constexpr int kThreads = 8;
  constexpr int kCommits = 25;
  std::vector<uint32_t> all = CommitFromThreads(zone, kThreads, kCommits, [&](int) -> Store& { return *store_; });
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads) * kCommits);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], 101 + i);

  auto journal = store_->ReadJournal(zone.id, 0);
  ASSERT_EQ(journal->size(), all.size());
  for (size_t i = 0; i < journal->size(); ++i) {
    EXPECT_EQ((*journal)[i].seq, i + 1);
    EXPECT_EQ((*journal)[i].serial_from, 100 + i);
    EXPECT_EQ((*journal)[i].serial_to, 101 + i);
  }
}

// Holds the committer inside a CreateZone (its progress callback runs on the committer
// thread) until `waiting` commits are queued, so that they form one group.
TEST_P(GroupCommitTest, FailingChangeDoesNotFailItsGroup) {
  ZoneInfo zone = Create("example.com.", 10);
  const GroupStats before = Stats();

  constexpr size_t kWaiting = 6;
  auto results = CommitInOneGroup(kWaiting, [&](size_t i) {
    ZoneChange change = SetA(zone, "host" + std::to_string(i), A(1, 1, 1, static_cast<uint8_t>(i)),
                             A(10, 0, 0, static_cast<uint8_t>(i)));
    if (i % 2 == 1) change.names.push_back({N("outside.example.org."), {ARrset(A(1, 1, 1, 1))}});
    return change;
  });

  std::vector<uint32_t> serials;
  for (size_t i = 0; i < kWaiting; ++i) {
    if (i % 2 == 1) {
      EXPECT_FALSE(results[i]) << i;
    } else {
      ASSERT_TRUE(results[i]) << i << ": " << results[i].error().message;
      serials.push_back(results[i]->new_serial);
    }
  }
  std::sort(serials.begin(), serials.end());
  EXPECT_EQ(serials, (std::vector<uint32_t>{11, 12, 13}));
  const GroupStats after = Stats();
  EXPECT_EQ(after.transactions - before.transactions, 2u);  // the CreateZone, then the group
  EXPECT_EQ(after.jobs - before.jobs, 1 + kWaiting);
  EXPECT_EQ((*store_->GetZone(zone.origin))->journal_seq, 3u);
}

TEST_P(GroupCommitTest, FailingAdminChangeIsRolledBackAlone) {
  // The key row is written before the grant fails; the savepoint takes both back.
  TsigKeyInfo key{N("k."), "hmac-sha256", {1}, {KeyGrant{N("nozone."), GrantScope::kZone, {}, {}}}};
  auto added = store_->AddKey(key);
  ASSERT_FALSE(added);
  EXPECT_EQ(added.error().code, ErrorCode::kNotFound);
  EXPECT_TRUE(store_->ListKeys()->empty());
  key.grants.clear();
  EXPECT_TRUE(store_->AddKey(key));
}

}  // namespace
}  // namespace tether::store::testing
