// What only the PostgreSQL store has to show: several nodes on one database, a database
// it must refuse, and connections that go away. The semantics it shares with SQLite are
// proven by the tests run on both stores (TETHER_BOTH_STORES).
#include <libpq-fe.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "store/postgres/postgres_store.h"
#include "store/postgres/schema.h"
#include "store_test_util.h"

namespace tether::store::testing {
namespace {

class PostgresStoreTest : public StoreTest {
 protected:
  Backend backend() const override { return Backend::kPostgres; }
};

TEST_F(PostgresStoreTest, TwoNodesCommittingToOneZoneGetDistinctConsecutiveSerials) {
  ZoneInfo zone = Create("example.com.", 100, 8);
  std::unique_ptr<Store> other = OpenNode();
  ASSERT_NE(other, nullptr);
  constexpr int kThreads = 8;  // half on each node
  constexpr int kCommits = 20;
  std::vector<uint32_t> all =
      CommitFromThreads(zone, kThreads, kCommits, [&](int t) -> Store& { return t % 2 == 0 ? *store_ : *other; });
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads) * kCommits);
  for (size_t i = 0; i < all.size(); ++i) EXPECT_EQ(all[i], 101 + i);
  // One unbroken journal, and both nodes load the same, final content.
  auto journal = other->ReadJournal(zone.id, 0);
  ASSERT_TRUE(journal);
  ASSERT_EQ(journal->size(), all.size());
  for (size_t i = 0; i < journal->size(); ++i) {
    EXPECT_EQ((*journal)[i].seq, i + 1);
    EXPECT_EQ((*journal)[i].serial_from, 100 + i);
  }
  for (Store* node : {store_.get(), other.get()}) {
    size_t found = 0;
    ASSERT_TRUE(node->LoadZone(zone.id, [&](zone::NameUpdate&& update) {
      const std::string name = update.name.ToText();
      if (name.rfind("host", 0) != 0) return;
      const int t = std::stoi(name.substr(4));
      EXPECT_EQ(update.rrsets, (std::vector<zone::Rrset>{ARrset(
                                   A(10, static_cast<uint8_t>(t), 0, kCommits - 1))}))
          << name;
      ++found;
    }));
    EXPECT_EQ(found, 8u);
  }
}

TEST_F(PostgresStoreTest, ZoneMadeOnOneNodeIsNotMadeTwice) {
  std::unique_ptr<Store> other = OpenNode();
  ASSERT_NE(other, nullptr);
  Create("example.com.");
  auto again = other->CreateZone(N("example.com."), SerialPolicy::kIncrement,
                                 ZoneContent("example.com.", 1, 1), {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  auto user = other->accounts().CreateUser(UserInfo{0, "alice", Role::kUser, "", 1, 0, 0});
  ASSERT_TRUE(user);
  auto twice = store_->accounts().CreateUser(UserInfo{0, "alice", Role::kUser, "", 1, 0, 0});
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists);
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefused) {
  store_.reset();
  ExecRaw("UPDATE meta SET value = '99' WHERE key = 'schema_version'");
  auto opened = OpenPostgresStore(PgOptions());
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("written by a newer Tether (schema 99 > " +
                                        std::to_string(postgres::LatestSchemaVersion()) + ")"),
            std::string::npos)
      << opened.error().message;
}

TEST_F(PostgresStoreTest, DatabaseWithOtherTablesIsRefused) {
  store_.reset();
  conninfo_ = PgServer::Get()->NewDatabase();
  ExecRaw("CREATE TABLE things (x INTEGER)");
  auto opened = OpenPostgresStore(PgOptions());
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find("not a Tether store"), std::string::npos)
      << opened.error().message;
}

TEST_F(PostgresStoreTest, UnreachableServerFailsToOpen) {
  store_.reset();
  conninfo_ = "host=127.0.0.1 port=1 user=tether dbname=tether connect_timeout=5";
  auto opened = OpenPostgresStore(PgOptions());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(opened.error().message.find("cannot connect"), std::string::npos)
      << opened.error().message;
}

// The server ends every connection of the store (a restart, a failover): the calls meeting
// the dead connection fail, and the store connects again for the next ones.
TEST_F(PostgresStoreTest, LostConnectionsAreMadeAgain) {
  ZoneInfo zone = Create("example.com.", 10);
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));
  EXPECT_GE(Sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = current_setting('application_name') "
                "AND pid <> pg_backend_pid()"),
            1);
  // At most one failure per connection, then everything works again.
  for (int i = 0; i < 2; ++i) {
    (void)store_->ListZones();
    (void)store_->accounts().ListUsers();
    (void)store_->Commit(SetA(zone, "lost", A(1, 1, 1, 1)));
  }
  ASSERT_TRUE(store_->ListZones());
  ASSERT_TRUE(store_->accounts().ListUsers());
  auto result = store_->Commit(SetA(zone, "www", A(2, 2, 2, 2), A(1, 1, 1, 1)));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->journal_seq, (*store_->GetZone(zone.origin))->journal_seq);
}

// Another node's transaction holds zone B and waits for zone A, which an earlier job of
// this node's group transaction locked, while a later job of the group waits for B: a
// deadlock. Rolling back the later job alone would meet it again; the committer commits the
// earlier job (freeing A) and runs the later one again in a new transaction. Both succeed.
TEST_F(PostgresStoreTest, DeadlockWithAnotherNodeIsBrokenAndTheJobRunAgain) {
  ZoneInfo a = Create("a.example.");
  ZoneInfo b = Create("b.example.");
  auto& pg = dynamic_cast<postgres::PostgresStore&>(*store_);

  // The other node, as a bare connection that detects deadlocks late (this node's backend
  // must be the one to notice).
  PGconn* other = PQconnectdb(conninfo_.c_str());
  ASSERT_EQ(PQstatus(other), CONNECTION_OK) << PQerrorMessage(other);
  auto run = [&](const std::string& sql) {
    PGresult* result = PQexec(other, sql.c_str());
    EXPECT_EQ(PQresultStatus(result), PGRES_COMMAND_OK) << PQresultErrorMessage(result);
    PQclear(result);
  };
  run("SET deadlock_timeout = '30s'");
  run("BEGIN");
  run("UPDATE zones SET allow_update = '' WHERE id = " + std::to_string(b.id));

  // This node: SetAllowUpdate(A) then SetAllowUpdate(B) in one group, held together behind
  // a CreateZone whose progress callback waits for both to be queued.
  std::atomic<bool> holding{false};
  std::thread blocker([&] {
    bool once = true;
    auto created = store_->CreateZone(N("c.example."), SerialPolicy::kIncrement,
                                      ZoneContent("c.example.", 1, 1), [&](size_t, size_t) {
                                        if (!once) return;
                                        once = false;
                                        holding = true;
                                        while (pg.GroupCommitStats().queued < 2) {
                                          std::this_thread::yield();
                                        }
                                      });
    EXPECT_TRUE(created);
  });
  while (!holding) std::this_thread::yield();
  Status first = MakeError(ErrorCode::kInternal, "not run");
  Status second = MakeError(ErrorCode::kInternal, "not run");
  std::thread lock_a([&] { first = store_->SetAllowUpdate(a.id, {"192.0.2.0/24"}); });
  while (pg.GroupCommitStats().queued < 1) std::this_thread::yield();
  std::thread lock_b([&] { second = store_->SetAllowUpdate(b.id, {"198.51.100.0/24"}); });
  // Once this node waits for B, the other asks for A: the cycle closes.
  while (Sql("SELECT count(*) FROM pg_stat_activity WHERE application_name = "
             "current_setting('application_name') AND wait_event_type = 'Lock'") < 1) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(PQsendQuery(other, ("UPDATE zones SET allow_update = '' WHERE id = " +
                                std::to_string(a.id)).c_str()),
            1);
  lock_a.join();
  blocker.join();
  // A is free now: the other node's update goes through, and it commits, freeing B.
  while (PGresult* result = PQgetResult(other)) {
    EXPECT_EQ(PQresultStatus(result), PGRES_COMMAND_OK) << PQresultErrorMessage(result);
    PQclear(result);
  }
  run("COMMIT");
  lock_b.join();
  PQfinish(other);

  EXPECT_TRUE(first) << first.error().message;
  EXPECT_TRUE(second) << second.error().message;
  EXPECT_GE(pg.GroupCommitStats().retries, 1u);
  EXPECT_EQ((*store_->GetZone(N("b.example.")))->allow_update,
            std::vector<std::string>{"198.51.100.0/24"});
}

}  // namespace
}  // namespace tether::store::testing
