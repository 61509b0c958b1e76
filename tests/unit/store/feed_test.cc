// The PostgreSQL store's change feed (store.h WaitForChanges, postgres/feed.h): what each
// write records, read by another node on the same database; gap-free seqs, nothing left by
// a write rolled back, the wake-up by NOTIFY, `lost` once entries are trimmed, and no
// deadlock between the committers of two nodes.
#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "store/postgres/committer.h"
#include "store/postgres/conn.h"
#include "store/postgres/feed.h"
#include "store/postgres/postgres_store.h"
#include "store_test_util.h"

namespace tether::store::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

std::string Describe(const StoreChange& change) {
  return fmt::format("{} {} {} {}", change.seq, ChangeKindName(change.kind), change.id,
                     change.object);
}

class FeedTest : public StoreTest {
 protected:
  Backend backend() const override { return Backend::kPostgres; }

  // Every entry after `after`, as "seq kind id object", read through `node` without waiting.
  static std::vector<std::string> ReadAll(Store& node, uint64_t after) {
    std::vector<std::string> all;
    while (true) {
      auto batch = node.WaitForChanges(after, milliseconds(0));
      EXPECT_TRUE(batch) << batch.error().message;
      if (!batch || batch->changes.empty()) return all;
      EXPECT_FALSE(batch->lost);
      for (const auto& change : batch->changes) all.push_back(Describe(change));
      after = batch->changes.back().seq;
    }
  }

  // The server's clock, in microseconds.
  int64_t ServerMicros() {
    return Sql("SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint");
  }

  // Waits until a feed connection of this test has finished a read after `since` (server
  // microseconds) and sits idle: its reader waits for a notification now.
  void WaitUntilWaiting(int64_t since) {
    const std::string sql = fmt::format(
        "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
        "current_setting('application_name') AND state = 'idle' AND (query LIKE 'SELECT seq, "
        "kind, id, object FROM changes%' OR query = 'SELECT seq FROM feed') AND "
        "extract(epoch FROM state_change) * 1000000 > {}",
        since);
    while (Sql(sql) < 1) std::this_thread::sleep_for(milliseconds(5));
  }

  static UserInfo User(const std::string& name) {
    return UserInfo{0, name, Role::kUser, "", 1, 0, 0};
  }
};

TEST_F(FeedTest, ChangeThroughOneNodeIsReadOnTheOther) {
  std::unique_ptr<Store> other = OpenNode();
  ASSERT_NE(other, nullptr);
  EXPECT_TRUE(other->HasChangeFeed());
  EXPECT_EQ(*other->ChangeFeedHead(), 0u);
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));
  auto batch = other->WaitForChanges(0, seconds(10));
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_FALSE(batch->lost);
  std::vector<std::string> described;
  for (const auto& change : batch->changes) described.push_back(Describe(change));
  EXPECT_EQ(described,
            (std::vector<std::string>{fmt::format("1 zone {} example.com.", zone.id),
                                      fmt::format("2 journal {} example.com.", zone.id)}));
  EXPECT_EQ(*other->ChangeFeedHead(), 2u);
}

TEST_F(FeedTest, EveryWriteRecordsItsKindIdAndObjectInOrder) {
  std::unique_ptr<Store> other = OpenNode();
  ASSERT_NE(other, nullptr);
  AccountStore& accounts = store_->accounts();
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));
  ASSERT_TRUE(store_->SetAllowUpdate(zone.id, {"192.0.2.0/24"}));
  ASSERT_TRUE(store_->SetTransferSettings(zone.id, TransferSettings{{}, {}, {"192.0.2.0/24"}}));
  ASSERT_TRUE(store_->SetPrimarySettings(zone.id, PrimarySettings{{"192.0.2.1:53"}, {}, 0}));
  ASSERT_TRUE(store_->AddKey(TsigKeyInfo{N("Key.Example."), "hmac-sha256", {1}, {}}));
  ASSERT_TRUE(
      store_->AddGrant(N("key.example."), KeyGrant{zone.origin, GrantScope::kZone, {}, {}}));
  auto user = accounts.CreateUser(User("alice"));
  ASSERT_TRUE(user);
  ASSERT_TRUE(accounts.SetPasswordHash(user->id, "hash"));
  auto host = accounts.CreateHost(HostInfo{0, N("Home.Example.com."), user->id, zone.id,
                                           Lifecycle::kActive, 0, 0, AbuseState::kNone, "", 0});
  ASSERT_TRUE(host);
  ASSERT_TRUE(accounts.SetLifecycle(host->id, Lifecycle::kOffline));
  auto token = accounts.CreateToken(TokenInfo{0, user->id, "d1gest", {}, {}, {}, 0, 0, false});
  ASSERT_TRUE(token);
  ASSERT_TRUE(*accounts.RevokeToken(token->id));
  auto credential = accounts.CreateHostCredential(HostCredentialInfo{0, host->id, "h-1", "d", 0});
  ASSERT_TRUE(credential);
  // History, appended (ReadHistory writes it) or trimmed, is no change to follow.
  accounts.AppendHistory(
      HistoryEntry{0, host->id, 5, "192.0.2.9", "curl", "token:1", "", "A 1.1.1.1", "good"});
  ASSERT_TRUE(accounts.ReadHistory(host->id, 10));
  ASSERT_TRUE(accounts.TrimHistory(10, {}));
  ASSERT_TRUE(*store_->RemoveKey(N("key.example.")));
  ASSERT_TRUE(*accounts.DeleteHost(host->id));
  ASSERT_TRUE(*accounts.DeleteUser(user->id));
  ASSERT_TRUE(*store_->DeleteZone(zone.origin));
  // Deleting what is not there changes nothing.
  ASSERT_FALSE(*store_->DeleteZone(zone.origin));
  ASSERT_FALSE(*accounts.DeleteUser(user->id));

  const int64_t z = zone.id;
  const int64_t u = user->id;
  const int64_t h = host->id;
  const int64_t t = token->id;
  EXPECT_EQ(ReadAll(*other, 0), (std::vector<std::string>{
                                    fmt::format("1 zone {} example.com.", z),
                                    fmt::format("2 journal {} example.com.", z),
                                    fmt::format("3 zone {} example.com.", z),
                                    fmt::format("4 zone {} example.com.", z),
                                    fmt::format("5 zone {} example.com.", z),
                                    "6 keys 0 key.example.",
                                    "7 keys 0 key.example.",
                                    fmt::format("8 user {} alice", u),
                                    fmt::format("9 user {} alice", u),
                                    fmt::format("10 host {} home.example.com.", h),
                                    fmt::format("11 host {} home.example.com.", h),
                                    fmt::format("12 token {} d1gest", t),
                                    fmt::format("13 token {} d1gest", t),
                                    fmt::format("14 user {} alice", u),
                                    fmt::format("15 credential {} h-1", credential->id),
                                    "16 keys 0 key.example.",
                                    fmt::format("17 host {} home.example.com.", h),
                                    fmt::format("18 user {} alice", u),
                                    fmt::format("19 zone {} example.com.", z),
                                }));
  EXPECT_EQ(Sql("SELECT time FROM changes WHERE seq = 1"), clock_.seconds->load());
}

TEST_F(FeedTest, AbuseStateIsAHostChangeTheOtherNodeReads) {
  std::unique_ptr<Store> other = OpenNode();
  ASSERT_NE(other, nullptr);
  ZoneInfo zone = Create("example.com.");
  auto user = store_->accounts().CreateUser(User("alice"));
  ASSERT_TRUE(user);
  auto host =
      store_->accounts().CreateHost(HostInfo{0, N("home.example.com."), user->id, zone.id,
                                             Lifecycle::kActive, 0, 0, AbuseState::kNone, "", 0});
  ASSERT_TRUE(host);
  const uint64_t head = *other->ChangeFeedHead();
  ASSERT_TRUE(
      store_->accounts().SetAbuseState(host->id, AbuseState::kFrozen, "case 17", 1700000000));
  EXPECT_EQ(
      ReadAll(*other, head),
      (std::vector<std::string>{fmt::format("{} host {} home.example.com.", head + 1, host->id)}));
  auto seen = other->accounts().GetHost(N("home.example.com."));
  ASSERT_TRUE(seen && seen->has_value());
  EXPECT_EQ((*seen)->abuse_state, AbuseState::kFrozen);
  EXPECT_EQ((*seen)->abuse_reason, "case 17");
}

TEST_F(FeedTest, FailedWriteRecordsNothing) {
  AccountStore& accounts = store_->accounts();
  ASSERT_TRUE(accounts.CreateUser(User("alice")));
  auto twice = accounts.CreateUser(User("alice"));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, ErrorCode::kAlreadyExists);
  ZoneInfo zone = Create("example.com.");
  ZoneChange stale = SetA(zone, "www", A(1, 1, 1, 1));
  stale.base_journal_seq = 7;
  ASSERT_FALSE(store_->Commit(stale));
  EXPECT_FALSE(store_->SetAllowUpdate(zone.id + 100, {}));
  ASSERT_TRUE(accounts.CreateUser(User("bob")));
  const std::vector<std::string> all = ReadAll(*store_, 0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].substr(0, 7), "3 user ");
}

// A job that recorded its change and then failed: the entry and the counter go back with
// the job's savepoint, and the next entry takes the seq.
TEST_F(FeedTest, JobRolledBackTakesItsEntryBack) {
  auto conn = postgres::Conn::Connect(conninfo_);
  ASSERT_TRUE(conn) << conn.error().message;
  postgres::Committer committer(std::move(*conn), postgres::kFeedLockSql);
  auto record = [](postgres::Conn& c, const std::string& object) {
    return postgres::RecordChange(c, FeedLimits{}, ChangeKind::kUser, 1, object, 0);
  };
  Status failed = committer.Run([&](postgres::Conn& c) -> Status {
    RETURN_IF_ERROR(record(c, "gone"));
    return InvalidArgument("refused after recording");
  });
  ASSERT_FALSE(failed);
  ASSERT_TRUE(committer.Run([&](postgres::Conn& c) { return record(c, "kept"); }));
  EXPECT_EQ(ReadAll(*store_, 0), std::vector<std::string>{"1 user 1 kept"});
}

TEST_F(FeedTest, WaitEndsOnNotificationWellBeforeItsTime) {
  std::unique_ptr<Store> other = OpenNode();
  ASSERT_NE(other, nullptr);
  const int64_t since = ServerMicros();
  Result<ChangeBatch> batch = MakeError(ErrorCode::kInternal, "not run");
  std::chrono::steady_clock::duration waited{};
  std::thread waiter([&] {
    const auto start = std::chrono::steady_clock::now();
    batch = other->WaitForChanges(0, seconds(60));
    waited = std::chrono::steady_clock::now() - start;
  });
  WaitUntilWaiting(since);
  ASSERT_TRUE(store_->accounts().CreateUser(User("alice")));
  waiter.join();
  ASSERT_TRUE(batch) << batch.error().message;
  ASSERT_EQ(batch->changes.size(), 1u);
  EXPECT_EQ(batch->changes[0].kind, ChangeKind::kUser);
  // Without the notification it would wait the full minute.
  EXPECT_LT(waited, seconds(30));
}

TEST_F(FeedTest, WaitWithNothingNewEndsEmpty) {
  ASSERT_TRUE(store_->accounts().CreateUser(User("alice")));
  auto batch = store_->WaitForChanges(1, milliseconds(50));
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_TRUE(batch->changes.empty());
  EXPECT_FALSE(batch->lost);
}

// The feed connection is ended while the reader waits: the wait fails, and the next one
// connects and LISTENs again.
TEST_F(FeedTest, LostFeedConnectionIsMadeAgainAndListensAgain) {
  std::unique_ptr<Store> other = OpenNode();
  ASSERT_NE(other, nullptr);
  int64_t since = ServerMicros();
  Result<ChangeBatch> batch = MakeError(ErrorCode::kInternal, "not run");
  std::thread waiter([&] { batch = other->WaitForChanges(0, seconds(60)); });
  WaitUntilWaiting(since);
  EXPECT_EQ(Sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                "application_name = current_setting('application_name') AND query LIKE "
                "'SELECT seq, kind, id, object FROM changes%'"),
            1);
  waiter.join();
  ASSERT_FALSE(batch);
  EXPECT_EQ(batch.error().code, ErrorCode::kUnavailable);

  since = ServerMicros();
  std::thread again([&] { batch = other->WaitForChanges(0, seconds(60)); });
  WaitUntilWaiting(since);
  ASSERT_TRUE(store_->accounts().CreateUser(User("alice")));
  again.join();
  ASSERT_TRUE(batch) << batch.error().message;
  EXPECT_EQ(batch->changes.size(), 1u);
}

TEST_F(FeedTest, ReaderBehindTheTrimmedEntriesHasLostThem) {
  feed_limits_ = FeedLimits{.keep = 3, .trim_every = 2};
  Reopen();
  for (int i = 0; i < 10; ++i)
    ASSERT_TRUE(store_->accounts().CreateUser(User(fmt::format("u{}", i))));
  // The trim at seq 10 left 8, 9 and 10.
  EXPECT_EQ(Sql("SELECT count(*) FROM changes"), 3);
  auto kept = store_->WaitForChanges(7, milliseconds(0));
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_FALSE(kept->lost);
  ASSERT_EQ(kept->changes.size(), 3u);
  EXPECT_EQ(kept->changes.front().seq, 8u);
  for (uint64_t after : {uint64_t{0}, uint64_t{6}}) {
    auto behind = store_->WaitForChanges(after, milliseconds(0));
    ASSERT_TRUE(behind) << behind.error().message;
    EXPECT_TRUE(behind->lost) << after;
  }
  auto current = store_->WaitForChanges(10, milliseconds(0));
  ASSERT_TRUE(current);
  EXPECT_FALSE(current->lost);
  // A reader ahead of the feed followed another database.
  auto ahead = store_->WaitForChanges(11, milliseconds(0));
  ASSERT_TRUE(ahead);
  EXPECT_TRUE(ahead->lost);
}

// Each node's group transactions lock zone rows in whatever order their jobs came; the
// counter lock taken first (committer.h) lets no two of them wait for each other.
TEST_F(FeedTest, TwoNodesCommittingToTwoZonesAtOnceNeverDeadlock) {
  ZoneInfo a = Create("a.example.", 1, 8);
  ZoneInfo b = Create("b.example.", 1, 8);
  std::unique_ptr<Store> other = OpenNode();
  ASSERT_NE(other, nullptr);
  constexpr int kThreads = 8;
  constexpr int kCommits = 15;
  std::vector<uint32_t> serials_a, serials_b;
  std::thread to_a([&] {
    serials_a = CommitFromThreads(a, kThreads, kCommits,
                                  [&](int t) -> Store& { return t % 2 == 0 ? *store_ : *other; });
  });
  std::thread to_b([&] {
    serials_b = CommitFromThreads(b, kThreads, kCommits,
                                  [&](int t) -> Store& { return t % 2 == 1 ? *store_ : *other; });
  });
  to_a.join();
  to_b.join();
  EXPECT_EQ(serials_a.size(), static_cast<size_t>(kThreads * kCommits));
  EXPECT_EQ(serials_b.size(), static_cast<size_t>(kThreads * kCommits));
  for (Store* node : {store_.get(), other.get()}) {
    EXPECT_EQ(dynamic_cast<postgres::PostgresStore&>(*node).GroupCommitStats().retries, 0u);
  }
  // Every commit is in the feed once, after the two zones, without a gap.
  const std::vector<std::string> all = ReadAll(*other, 0);
  ASSERT_EQ(all.size(), 2u + 2 * kThreads * kCommits);
  size_t journal_a = 0;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].substr(0, all[i].find(' ')), std::to_string(i + 1));
    if (all[i] == fmt::format("{} journal {} a.example.", i + 1, a.id)) ++journal_a;
  }
  EXPECT_EQ(journal_a, static_cast<size_t>(kThreads * kCommits));
}

}  // namespace
}  // namespace tether::store::testing
