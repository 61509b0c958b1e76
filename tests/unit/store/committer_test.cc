// The Committer on its own: grouping, and a transaction SQLite rolls back by itself.
#include "store/sqlite/committer.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "store/sqlite/schema.h"
#include "store_test_util.h"

namespace tether::store::sqlite {
namespace {

using testing::N;

class CommitterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = OpenWriteConnection(dir_.File("store.db"), 0);
    ASSERT_TRUE(db) << db.error().message;
    auto writer = Writer::Create(std::move(*db), JournalLimits{}, [] { return int64_t{0}; });
    ASSERT_TRUE(writer) << writer.error().message;
    committer_ = std::make_unique<Committer>(std::move(*writer));
  }

  void WaitQueued(size_t n) {
    while (committer_->Stats().queued < n) std::this_thread::yield();
  }

  static Committer::Job AddKey(const std::string& name) {
    return [name](Writer& writer) { return writer.AddKey({N(name), "hmac-sha256", {1}, {}}); };
  }

  // Runs `jobs` as one group, in order: a first job holds the committer until all are queued.
  std::vector<Status> RunAsOneGroup(const std::vector<Committer::Job>& jobs) {
    std::atomic<bool> holding{false};
    std::thread blocker([&] {
      EXPECT_TRUE(committer_->Run([&](Writer&) -> Status {
        holding = true;
        WaitQueued(jobs.size());
        return Ok();
      }));
    });
    while (!holding) std::this_thread::yield();
    std::vector<Status> results(jobs.size(), Ok());
    std::vector<std::thread> threads;
    for (size_t i = 0; i < jobs.size(); ++i) {
      threads.emplace_back([&, i] { results[i] = committer_->Run(jobs[i]); });
      // Keeps the arrival order. Not after the last: then the blocker lets go at once.
      if (i + 1 < jobs.size()) WaitQueued(i + 1);
    }
    for (auto& thread : threads) thread.join();
    blocker.join();
    return results;
  }

  bool HasKey(const std::string& name) {
    bool found = false;
    EXPECT_TRUE(committer_->Run([&](Writer& writer) -> Status {
      ASSIGN_OR_RETURN(Statement query, writer.db().Prepare("SELECT 1 FROM keys WHERE name = ?1"));
      query.Bind(1, N(name).wire());
      ASSIGN_OR_RETURN(found, query.Step());
      return Ok();
    }));
    return found;
  }

  testing::TempDir dir_;
  std::unique_ptr<Committer> committer_;
};

TEST_F(CommitterTest, QueuedJobsShareOneTransaction) {
  const auto before = committer_->Stats();
  auto results = RunAsOneGroup({AddKey("a."), AddKey("b."), AddKey("c.")});
  for (const auto& result : results) EXPECT_TRUE(result);
  const auto after = committer_->Stats();
  EXPECT_EQ(after.transactions - before.transactions, 2u);  // the blocker, then the three
  EXPECT_EQ(after.jobs - before.jobs, 4u);
  EXPECT_TRUE(HasKey("a.") && HasKey("b.") && HasKey("c."));
}

TEST_F(CommitterTest, FailedJobIsRolledBackAlone) {
  Committer::Job fails = [](Writer& writer) -> Status {
    RETURN_IF_ERROR(writer.AddKey({N("partial."), "hmac-sha256", {1}, {}}));
    return InvalidArgument("refused after writing");
  };
  auto results = RunAsOneGroup({AddKey("a."), fails, AddKey("c.")});
  EXPECT_TRUE(results[0]);
  EXPECT_FALSE(results[1]);
  EXPECT_TRUE(results[2]);
  EXPECT_TRUE(HasKey("a.") && HasKey("c."));
  EXPECT_FALSE(HasKey("partial."));
}

// As SQLite does on SQLITE_FULL or SQLITE_IOERR: the whole transaction is gone, so the
// jobs before the failure must not report success, and the jobs after it do not run.
TEST_F(CommitterTest, TransactionRolledBackBySqliteFailsTheWholeGroup) {
  Committer::Job aborts = [](Writer& writer) -> Status {
    RETURN_IF_ERROR(writer.Run(Writer::Txn::kRollback));
    return MakeError(ErrorCode::kIo, "database or disk is full");
  };
  auto results = RunAsOneGroup({AddKey("a."), aborts, AddKey("c.")});
  for (const auto& result : results) {
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find("rolled back"), std::string::npos);
  }
  EXPECT_FALSE(HasKey("a."));
  EXPECT_FALSE(HasKey("c."));
  // The committer carries on with the next group.
  EXPECT_TRUE(committer_->Run(AddKey("d.")));
  EXPECT_TRUE(HasKey("d."));
}

// The history heads the writer keeps (Writer::history_heads) describe committed rows only:
// a rolled-back job or group takes them with it.
TEST_F(CommitterTest, WritersHistoryHeadsDoNotOutliveARollback) {
  auto remember = [](int64_t host, int64_t head) -> Committer::Job {
    return [=](Writer& writer) -> Status {
      writer.history_heads()[host] = head;
      return Ok();
    };
  };
  auto heads = [&] {
    size_t size = 0;
    EXPECT_TRUE(committer_->Run([&](Writer& writer) -> Status {
      size = writer.history_heads().size();
      return Ok();
    }));
    return size;
  };
  ASSERT_TRUE(committer_->Run(remember(1, 10)));
  EXPECT_EQ(heads(), 1u);
  Committer::Job fails = [](Writer& writer) -> Status {
    writer.history_heads()[2] = 20;
    return InvalidArgument("refused after writing");
  };
  EXPECT_FALSE(committer_->Run(fails));
  EXPECT_EQ(heads(), 0u);

  ASSERT_TRUE(committer_->Run(remember(1, 10)));
  Committer::Job aborts = [](Writer& writer) -> Status {
    RETURN_IF_ERROR(writer.Run(Writer::Txn::kRollback));
    return MakeError(ErrorCode::kIo, "database or disk is full");
  };
  auto results = RunAsOneGroup({remember(3, 30), aborts});
  EXPECT_FALSE(results[0]);
  EXPECT_EQ(heads(), 0u);
}

}  // namespace
}  // namespace tether::store::sqlite
