// Files the store must refuse, and damaged rows it must report instead of crashing on.
#include <fstream>
#include <random>
#include <regex>

#include <gtest/gtest.h>

#include "store_test_util.h"
#include "store/sqlite/schema.h"

namespace tether::store::testing {
namespace {

constexpr char kDigits[] = "0123456789abcdef";

std::string Hex(const std::vector<uint8_t>& bytes) {
  std::string text = "x'";
  for (uint8_t byte : bytes) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 15];
  }
  return text + "'";
}

// The owner key of hostN: its first label.
std::string HostKey(int n) {
  std::string label = "host" + std::to_string(n);
  std::vector<uint8_t> key = {static_cast<uint8_t>(label.size())};
  key.insert(key.end(), label.begin(), label.end());
  return Hex(key);
}

void ExpectNamesFile(const Error& error, const std::string& path) {
  EXPECT_NE(error.message.find(path), std::string::npos) << error.message;
}

using OpenTest = StoreTest;

TEST_F(OpenTest, NewerSchemaIsRefused) {
  store_.reset();
  ExecSql(path(), "UPDATE meta SET value = 99 WHERE key = 'schema_version'");
  auto opened = OpenSqliteStore(Options());
  ASSERT_FALSE(opened);
  EXPECT_NE(opened.error().message.find(path() + " was written by a newer Tether (schema 99 > " + std::to_string(sqlite::LatestSchemaVersion()) + ")"),
            std::string::npos)
      << opened.error().message;
}

TEST_F(OpenTest, NonDatabaseFileIsRefused) {
  store_.reset();
  const std::string file = dir_.File("notes.txt");
  std::ofstream(file) << std::string(3000, 'x') << "this is not a database\n";
  SqliteOptions options = Options();
  options.path = file;
  auto opened = OpenSqliteStore(options);
  ASSERT_FALSE(opened);
  ExpectNamesFile(opened.error(), file);
  EXPECT_NE(opened.error().message.find("not a Tether store"), std::string::npos);
}

TEST_F(OpenTest, ForeignSqliteDatabaseIsRefused) {
  const std::string file = dir_.File("other.db");
  ExecSql(file, "CREATE TABLE things(x); INSERT INTO things VALUES(1)");
  SqliteOptions options = Options();
  options.path = file;
  auto opened = OpenSqliteStore(options);
  ASSERT_FALSE(opened);
  ExpectNamesFile(opened.error(), file);
  EXPECT_NE(opened.error().message.find("not a Tether store"), std::string::npos);
}

TEST_F(OpenTest, EmptyExistingFileBecomesAStore) {
  const std::string file = dir_.File("empty.db");
  std::ofstream(file).close();
  SqliteOptions options = Options();
  options.path = file;
  EXPECT_TRUE(OpenSqliteStore(options));
}

TEST_F(OpenTest, DamagedPagesAreRefused) {
  Create("example.com.", 1, 200);
  store_.reset();  // the last connection checkpoints the WAL into the file
  {
    std::fstream file(path(), std::ios::in | std::ios::out | std::ios::binary);
    file.seekp(8192);  // all of page 2 (pages are 8 KiB)
    const std::string garbage(8192, '\xab');
    file.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  auto opened = OpenSqliteStore(Options());
  ASSERT_FALSE(opened);
  ExpectNamesFile(opened.error(), path());
}

// Both stores: the SQL damaging a row is written with SQLite's blob literals (x'00ff'),
// which Damage() turns into PostgreSQL's ('\x00ff'::bytea) for the PostgreSQL store.
class DamagedRowTest : public AnyStoreTest {
 protected:
  void Damage(const std::string& sql) {
    if (!postgres()) return ExecSql(path(), sql);
    static const std::regex blob("x'([0-9a-f]*)'");
    ExecRaw(std::regex_replace(sql, blob, "'\\x$1'::bytea"));
  }
};
TETHER_BOTH_STORES(DamagedRowTest);

TEST_P(DamagedRowTest, DamagedNameDataFailsLoad) {
  ZoneInfo zone = Create("example.com.");
  Damage("UPDATE names SET data = x'0100010000003cffff' WHERE owner = " + HostKey(1));
  auto loaded = store_->LoadZone(zone.id, [](zone::NameUpdate&&) {});
  ASSERT_FALSE(loaded);
  ExpectNamesFile(loaded.error(), where());
}

TEST_P(DamagedRowTest, DamagedOwnerKeyFailsLoad) {
  ZoneInfo zone = Create("example.com.");
  Damage("UPDATE names SET owner = x'09ff00' WHERE owner = " + HostKey(1));
  EXPECT_FALSE(store_->LoadZone(zone.id, [](zone::NameUpdate&&) {}));
}

// A commit reads the SOA from the zones row (never a names row).
TEST_P(DamagedRowTest, DamagedStoredSoaFailsCommit) {
  ZoneInfo zone = Create("example.com.");
  Damage("UPDATE zones SET soa = x'01000600000e1000010003616263'");
  auto result = store_->Commit(SetA(zone, "www", A(1, 1, 1, 1)));
  ASSERT_FALSE(result);
  ExpectNamesFile(result.error(), where());
}

TEST_P(DamagedRowTest, SerialDisagreeingWithApexFailsCommit) {
  ZoneInfo zone = Create("example.com.", 10);
  Damage("UPDATE zones SET serial = 5");
  EXPECT_FALSE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));
}

TEST_P(DamagedRowTest, DamagedJournalFailsRead) {
  ZoneInfo zone = Create("example.com.");
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));
  Damage("UPDATE journal SET added = x'01c000'");
  auto journal = store_->ReadJournal(zone.id, 0);
  ASSERT_FALSE(journal);
  ExpectNamesFile(journal.error(), where());
}

TEST_P(DamagedRowTest, DamagedZoneRowFailsList) {
  Create("example.com.");
  Damage("UPDATE zones SET origin = x'ff00'");
  EXPECT_FALSE(store_->ListZones());
  Damage("UPDATE zones SET origin = x'00', serial_policy = 'sometimes'");
  EXPECT_FALSE(store_->ListZones());
}

TEST_P(DamagedRowTest, DamagedGrantFailsListKeys) {
  Create("example.com.");
  ASSERT_TRUE(store_->AddKey({N("k."), "hmac-sha256", {1}, {}}));
  ASSERT_TRUE(store_->AddGrant(N("k."), {N("example.com."), GrantScope::kZone, dns::Name(), {}}));
  Damage("UPDATE grants SET types = 'A,NOTATYPE'");
  EXPECT_FALSE(store_->ListKeys());
  Damage("UPDATE grants SET types = '', scope = 'everything'");
  EXPECT_FALSE(store_->ListKeys());
}

// Any bytes at all in a name's data give a result or an error; ASan and UBSan watch.
TEST_P(DamagedRowTest, RandomlyMutatedDataNeverCrashes) {
  ZoneInfo zone = Create("example.com.", 1, 2);
  std::vector<uint8_t> blob = {1,  0, 1, 0, 0, 0,  60, 0, 2, 0,  4, 10, 0, 0, 1, 0,   4,
                               10, 0, 0, 2, 0, 16, 0,  0, 0, 60, 0, 1,  0, 3, 2, 'h', 'i'};
  std::mt19937 random(11);
  for (int i = 0; i < 300; ++i) {
    std::vector<uint8_t> mutated = blob;
    for (int flips = 1 + static_cast<int>(random() % 3); flips > 0; --flips) {
      mutated[random() % mutated.size()] = static_cast<uint8_t>(random());
    }
    mutated.resize(random() % (mutated.size() + 1));
    Damage("UPDATE names SET data = " + Hex(mutated) + " WHERE owner = " + HostKey(0));
    (void)store_->LoadZone(zone.id, [](zone::NameUpdate&&) {});
    (void)store_->Commit(SetA(zone, "host0", A(1, 1, 1, 1), A(10, 0, 0, 0)));
  }
}

}  // namespace
}  // namespace tether::store::testing
