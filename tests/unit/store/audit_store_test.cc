// The audit log in both stores (store/audit.h): seq and the hash chain are assigned by the
// store's writer, entries read back as stored, concurrent appends give one unbroken chain.
#include <thread>

#include <gtest/gtest.h>

#include "abuse/audit.h"
#include "store_test_util.h"

namespace tether::store::testing {
namespace {

class AuditStoreTest : public AnyStoreTest {
 protected:
  static AuditEntry Entry(const std::string& reason,
                          std::vector<std::string> names = {"a.dyn.example."}) {
    AuditEntry entry;
    entry.time = 1700000000;
    entry.actor = "admin";
    entry.action = "host.remove";
    entry.reason = reason;
    entry.reference = "case-1";
    entry.names = std::move(names);
    entry.serial_before = 7;
    entry.serial_after = 8;
    return entry;
  }

  std::vector<AuditEntry> ReadAll() {
    auto read = store_->audit().ReadAudit(0, 1000000);
    EXPECT_TRUE(read) << read.error().message;
    return read ? *read : std::vector<AuditEntry>();
  }
};

TEST_P(AuditStoreTest, AppendAssignsSeqAndChain) {
  AuditEntry given = Entry("first");
  given.seq = 99;              // ignored
  given.prev_hash = "forged";  // ignored
  auto first = store_->audit().AppendAudit(given);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->seq, 1u);
  EXPECT_EQ(first->prev_hash, kAuditGenesisHash);
  EXPECT_EQ(first->hash, AuditHash(*first));
  auto second = store_->audit().AppendAudit(Entry("second", {}));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->seq, 2u);
  EXPECT_EQ(second->prev_hash, first->hash);
  EXPECT_EQ(second->hash, AuditHash(*second));
}

TEST_P(AuditStoreTest, ReadBackEqualsAppended) {
  std::vector<AuditEntry> appended;
  for (const auto& names : std::vector<std::vector<std::string>>{
           {"a.dyn.example."}, {}, {"b.dyn.example.", "c.dyn.example."}}) {
    AuditEntry entry = Entry("why \"quoted\"\twith tab", names);
    entry.serial_after = 4294967295u;
    auto stored = store_->audit().AppendAudit(entry);
    ASSERT_TRUE(stored) << stored.error().message;
    appended.push_back(*stored);
  }
  EXPECT_EQ(ReadAll(), appended);
  auto after_one = store_->audit().ReadAudit(1, 1);
  ASSERT_TRUE(after_one) << after_one.error().message;
  ASSERT_EQ(after_one->size(), 1u);
  EXPECT_EQ(after_one->front(), appended[1]);
}

TEST_P(AuditStoreTest, ChainSurvivesReopen) {
  ASSERT_TRUE(store_->audit().AppendAudit(Entry("one")));
  Reopen();
  auto second = store_->audit().AppendAudit(Entry("two"));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->seq, 2u);
  EXPECT_TRUE(abuse::VerifyAudit(ReadAll()).ok);
}

TEST_P(AuditStoreTest, ConcurrentAppendsGiveOneUnbrokenChain) {
  constexpr int kThreads = 8;
  constexpr int kEach = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto stored =
            store_->audit().AppendAudit(Entry(std::to_string(t) + "/" + std::to_string(i)));
        ASSERT_TRUE(stored) << stored.error().message;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const auto entries = ReadAll();
  ASSERT_EQ(entries.size(), size_t{kThreads * kEach});
  const abuse::AuditVerdict verdict = abuse::VerifyAudit(entries);
  EXPECT_TRUE(verdict.ok) << "seq " << verdict.broken_at << ": " << verdict.why;
  EXPECT_EQ(verdict.entries, uint64_t{kThreads * kEach});
}

TEST_P(AuditStoreTest, TamperedRowFailsVerification) {
  for (int i = 0; i < 3; ++i)
    ASSERT_TRUE(store_->audit().AppendAudit(Entry("r" + std::to_string(i))));
  ExecRaw("UPDATE audit SET reason = 'x' WHERE seq = 2");
  const abuse::AuditVerdict verdict = abuse::VerifyAudit(ReadAll());
  EXPECT_FALSE(verdict.ok);
  EXPECT_EQ(verdict.broken_at, 2u);
}

TETHER_BOTH_STORES(AuditStoreTest);

// Two PostgreSQL nodes appending at once still build one chain.
class AuditNodesTest : public StoreTest {
 protected:
  Backend backend() const override { return Backend::kPostgres; }
};

TEST_F(AuditNodesTest, TwoNodesAppendOneChain) {
  std::unique_ptr<Store> other = OpenNode();
  ASSERT_NE(other, nullptr);
  constexpr int kEach = 30;
  auto append = [&](Store& node, const std::string& who) {
    for (int i = 0; i < kEach; ++i) {
      AuditEntry entry;
      entry.actor = who;
      entry.action = "test";
      entry.reason = std::to_string(i);
      auto stored = node.audit().AppendAudit(entry);
      ASSERT_TRUE(stored) << stored.error().message;
    }
  };
  std::thread a([&] { append(*store_, "a"); });
  std::thread b([&] { append(*other, "b"); });
  a.join();
  b.join();
  auto read = store_->audit().ReadAudit(0, 1000);
  ASSERT_TRUE(read) << read.error().message;
  ASSERT_EQ(read->size(), size_t{2 * kEach});
  const abuse::AuditVerdict verdict = abuse::VerifyAudit(*read);
  EXPECT_TRUE(verdict.ok) << "seq " << verdict.broken_at << ": " << verdict.why;
}

}  // namespace
}  // namespace tether::store::testing
