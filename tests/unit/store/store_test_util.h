// Helpers for store tests: a temporary directory, an injectable clock, zone content, and
// raw SQL on a store file (to damage it on purpose). StoreTest runs on the SQLite store;
// AnyStoreTest is the same fixture parameterised over the SQLite and PostgreSQL stores
// (TETHER_BOTH_STORES), so that one test proves the same semantics of both.
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "pg_server.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"

namespace tether::store::testing {

inline dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

inline std::vector<uint8_t> Wire(const dns::Name& name) {
  return {name.wire().begin(), name.wire().end()};
}

inline std::vector<uint8_t> SoaRdata(const std::string& origin, uint32_t serial,
                                     uint32_t minimum = 60) {
  std::vector<uint8_t> rdata = Wire(N("ns1." + origin));
  std::vector<uint8_t> rname = Wire(N("hostmaster." + origin));
  rdata.insert(rdata.end(), rname.begin(), rname.end());
  for (uint32_t field : {serial, 3600u, 600u, 604800u, minimum}) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      rdata.push_back(static_cast<uint8_t>(field >> shift));
    }
  }
  return rdata;
}

inline std::vector<uint8_t> A(uint8_t a, uint8_t b, uint8_t c, uint8_t d) { return {a, b, c, d}; }

inline zone::Rrset ARrset(std::vector<uint8_t> address, uint32_t ttl = 60) {
  return zone::Rrset{dns::RrType::kA, ttl, {std::move(address)}};
}

inline zone::Rrset SoaRrset(const std::string& origin, uint32_t serial) {
  return zone::Rrset{dns::RrType::kSoa, 3600, {SoaRdata(origin, serial)}};
}

inline zone::Rrset NsRrset(const std::string& origin) {
  return zone::Rrset{dns::RrType::kNs, 3600, {Wire(N("ns1." + origin))}};
}

// The apex (NS, SOA with `serial`) and `hosts` names hostN with one A record each.
inline std::vector<zone::NameUpdate> ZoneContent(const std::string& origin, uint32_t serial,
                                                 int hosts) {
  std::vector<zone::NameUpdate> names;
  names.push_back({N(origin), {NsRrset(origin), SoaRrset(origin, serial)}});
  for (int i = 0; i < hosts; ++i) {
    names.push_back({N("host" + std::to_string(i) + "." + origin),
                     {ARrset(A(10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i)))}});
  }
  return names;
}

// A clock tests set by hand.
struct FakeClock {
  std::shared_ptr<std::atomic<int64_t>> seconds =
      std::make_shared<std::atomic<int64_t>>(1700000000);
  std::function<int64_t()> Function() const {
    auto shared = seconds;
    return [shared] { return shared->load(); };
  }
  void Set(int64_t value) { seconds->store(value); }
};

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tether-store-XXXXXX").string();
    path_ = mkdtemp(pattern.data()) != nullptr ? pattern : "";
    EXPECT_FALSE(path_.empty());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Runs a query returning one integer directly on a store file.
inline int64_t QueryInt(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK) << sql;
  int64_t value = -1;
  if (sqlite3_step(stmt) == SQLITE_ROW) value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

// Runs SQL directly on a store file, as a damaged disk or a curious operator would.
inline void ExecSql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "") << " in " << sql;
  sqlite3_free(error);
  sqlite3_close(db);
}

enum class Backend { kSqlite, kPostgres };

inline std::string BackendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

// Group-commit counters of either store.
struct GroupStats {
  uint64_t transactions = 0;
  uint64_t jobs = 0;
  size_t queued = 0;
};

// Test fixture: a store in a fresh directory (SQLite) or a fresh database of the test's
// PostgreSQL server (pg_server.h), with a fake clock.
class StoreTest : public ::testing::Test {
 protected:
  virtual Backend backend() const { return Backend::kSqlite; }
  bool postgres() const { return backend() == Backend::kPostgres; }

  void SetUp() override {
    if (postgres()) {
      PgServer* server = PgServer::Get();
      ASSERT_NE(server, nullptr);
      conninfo_ = server->NewDatabase();
    }
    Reopen();
  }

  SqliteOptions Options() const {
    SqliteOptions options;
    options.path = path();
    options.journal = limits_;
    options.fold = fold_;
    options.now = clock_.Function();
    return options;
  }
  PostgresOptions PgOptions() const {
    PostgresOptions options;
    options.conninfo = conninfo_;
    options.journal = limits_;
    options.feed = feed_limits_;
    options.now = clock_.Function();
    return options;
  }
  // PostgreSQL: another node, a store of its own on the same database.
  std::unique_ptr<Store> OpenNode() {
    auto opened = OpenPostgresStore(PgOptions());
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }
  void Reopen() {
    store_.reset();
    auto opened = postgres() ? OpenPostgresStore(PgOptions()) : OpenSqliteStore(Options());
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }
  std::string path() const { return dir_.File("store.db"); }
  // What the store's error messages name it by.
  std::string where() const { return postgres() ? "postgresql" : path(); }

  // Raw SQL on the store's database, whichever it is.
  int64_t Sql(const std::string& sql) {
    return postgres() ? PgServer::QueryInt(conninfo_, sql) : QueryInt(path(), sql);
  }
  void ExecRaw(const std::string& sql) {
    if (postgres()) {
      EXPECT_EQ(PgServer::Exec(conninfo_, sql), "") << sql;
    } else {
      ExecSql(path(), sql);
    }
  }

  // Brings the SQLite store's names and journal bounds up to date (a fold); the
  // PostgreSQL store writes both at commit and needs nothing.
  void Settle() {
    if (!postgres()) {
      auto folded = dynamic_cast<sqlite::SqliteStore&>(*store_).FoldJournal();
      ASSERT_TRUE(folded) << folded.error().message;
    }
  }

  GroupStats Stats() {
    if (postgres()) {
      auto stats = dynamic_cast<postgres::PostgresStore&>(*store_).GroupCommitStats();
      return {stats.transactions, stats.jobs, stats.queued};
    }
    auto stats = dynamic_cast<sqlite::SqliteStore&>(*store_).GroupCommitStats();
    return {stats.transactions, stats.jobs, stats.queued};
  }

  ZoneInfo Create(const std::string& origin, uint32_t serial = 1, int hosts = 3,
                  SerialPolicy policy = SerialPolicy::kIncrement) {
    auto created = store_->CreateZone(N(origin), policy, ZoneContent(origin, serial, hosts), {});
    EXPECT_TRUE(created) << created.error().message;
    return created ? *created : ZoneInfo();
  }

  // A change giving `host` one A record, `address`, in place of `previous` (if any).
  static ZoneChange SetA(const ZoneInfo& zone, const std::string& host,
                         std::vector<uint8_t> address, std::vector<uint8_t> previous = {}) {
    ZoneChange change;
    change.zone_id = zone.id;
    dns::Name name = N(host + "." + zone.origin.ToText());
    change.names.push_back({name, {ARrset(address)}});
    if (!previous.empty()) change.removed.push_back({name, dns::RrType::kA, 60, previous});
    change.added.push_back({name, dns::RrType::kA, 60, address});
    return change;
  }

  // `threads` threads each commit `commits` changes of host<t> of `zone` (its A record
  // moves from 10.0.0.t to 10.t.0.0, 10.t.0.1, ...), thread t to `node(t)`. Returns every
  // new serial, sorted.
  static std::vector<uint32_t> CommitFromThreads(const ZoneInfo& zone, int threads, int commits,
                                                 const std::function<Store&(int)>& node) {
    std::vector<std::vector<uint32_t>> serials(static_cast<size_t>(threads));
    std::vector<std::thread> running;
    running.reserve(static_cast<size_t>(threads));
    for (int t = 0; t < threads; ++t) {
      running.emplace_back([&, t] {
        for (int i = 0; i < commits; ++i) {
          const auto previous = i == 0 ? A(10, 0, 0, static_cast<uint8_t>(t))
                                       : A(10, static_cast<uint8_t>(t), 0, static_cast<uint8_t>(i - 1));
          auto result = node(t).Commit(SetA(zone, "host" + std::to_string(t),
                                            A(10, static_cast<uint8_t>(t), 0, static_cast<uint8_t>(i)), previous));
          ASSERT_TRUE(result) << result.error().message;
          serials[static_cast<size_t>(t)].push_back(result->new_serial);
        }
      });
    }
    for (auto& thread : running) thread.join();
    std::vector<uint32_t> all;
    for (const auto& some : serials) all.insert(all.end(), some.begin(), some.end());
    std::sort(all.begin(), all.end());
    return all;
  }

  // Commits change(i) for i in [0, n) from n threads while a CreateZone of other.example.
  // holds the store's writer, so that all n queue and run in ONE group transaction. Returns
  // each commit's result.
  std::vector<Result<CommitResult>> CommitInOneGroup(size_t n, const std::function<ZoneChange(size_t)>& change) {
    std::atomic<bool> holding{false};
    std::thread blocker([&] {
      bool first = true;
      auto created = store_->CreateZone(N("other.example."), SerialPolicy::kIncrement,
                                        ZoneContent("other.example.", 1, 1), [&](size_t, size_t) {
                                          if (!first) return;
                                          first = false;
                                          holding = true;
                                          while (Stats().queued < n) std::this_thread::yield();
                                        });
      EXPECT_TRUE(created);
    });
    while (!holding) std::this_thread::yield();
    std::vector<Result<CommitResult>> results(n, MakeError(ErrorCode::kInternal, "not run"));
    std::vector<std::thread> committers;
    for (size_t i = 0; i < n; ++i) {
      committers.emplace_back([&, i] { results[i] = store_->Commit(change(i)); });
    }
    for (auto& thread : committers) thread.join();
    blocker.join();
    return results;
  }

  TempDir dir_;
  std::string conninfo_;  // PostgreSQL: the test's own database
  FakeClock clock_;
  JournalLimits limits_;
  FeedLimits feed_limits_;  // PostgreSQL
  // Tests fold when they say so (and at close): no timing decides what a test sees.
  FoldOptions fold_{.automatic = false};
  std::unique_ptr<Store> store_;
};

// The fixture of tests that hold for both stores: TEST_P(Fixture, ...) with
// `class Fixture : public AnyStoreTest {};` and TETHER_BOTH_STORES(Fixture).
class AnyStoreTest : public StoreTest, public ::testing::WithParamInterface<Backend> {
 protected:
  Backend backend() const override { return GetParam(); }
};

#define TETHER_BOTH_STORES(fixture)                                                   \
  INSTANTIATE_TEST_SUITE_P(Stores, fixture,                                           \
                           ::testing::Values(::tether::store::testing::Backend::kSqlite, \
                                             ::tether::store::testing::Backend::kPostgres), \
                           ::tether::store::testing::BackendName)

}  // namespace tether::store::testing
