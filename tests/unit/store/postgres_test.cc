// What only the PostgreSQL store has to show: several nodes on one database, a database
// it must refuse, and connections that go away. The semantics it shares with SQLite are
// proven by the tests run on both stores (TETHER_BOTH_STORES).
#include <algorithm>
#include <thread>

#include <gtest/gtest.h>

#include "store/postgres/schema.h"
#include "store_test_util.h"

namespace tether::store::testing {
namespace {

class PostgresStoreTest : public StoreTest {
 protected:
  Backend backend() const override { return Backend::kPostgres; }

  // Another node: a store of its own on the same database.
  std::unique_ptr<Store> OpenNode() {
    auto opened = OpenPostgresStore(PgOptions());
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }
};

TEST_F(PostgresStoreTest, TwoNodesCommittingToOneZoneGetDistinctConsecutiveSerials) {
  ZoneInfo zone = Create("example.com.", 100, 8);
  std::unique_ptr<Store> other = OpenNode();
  ASSERT_NE(other, nullptr);
  constexpr int kThreads = 8;  // half on each node
  constexpr int kCommits = 20;
  std::vector<std::vector<uint32_t>> serials(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Store& node = t % 2 == 0 ? *store_ : *other;
      for (int i = 0; i < kCommits; ++i) {
        const auto previous = i == 0
                                  ? A(10, 0, 0, static_cast<uint8_t>(t))
                                  : A(10, static_cast<uint8_t>(t), 0, static_cast<uint8_t>(i - 1));
        auto result = node.Commit(SetA(zone, "host" + std::to_string(t),
                                       A(10, static_cast<uint8_t>(t), 0, static_cast<uint8_t>(i)),
                                       previous));
        ASSERT_TRUE(result) << result.error().message;
        serials[static_cast<size_t>(t)].push_back(result->new_serial);
      }
    });
  }
  for (auto& thread : threads) thread.join();

  std::vector<uint32_t> all;
  for (const auto& some : serials) all.insert(all.end(), some.begin(), some.end());
  std::sort(all.begin(), all.end());
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

}  // namespace
}  // namespace tether::store::testing
