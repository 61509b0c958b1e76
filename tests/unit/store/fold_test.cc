// The journal-first SQLite store: a commit writes its journal entry only, folds bring the
// names table forward, and LoadZone gives the current content whatever has been folded.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "store/blob_codec.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/schema.h"
#include "store_test_util.h"

namespace tether::store::testing {
namespace {

using Content = std::map<std::string, std::vector<zone::Rrset>>;

const zone::Rrset* FindType(const std::vector<zone::Rrset>& rrsets, dns::RrType type) {
  for (const auto& rrset : rrsets) {
    if (rrset.type == type) return &rrset;
  }
  return nullptr;
}

// A zone kept beside the store: its expected content, and changes to it with exact diffs
// (as the update path's ZoneView makes them: a changed TTL moves the whole RRset).
class Model {
 public:
  Model(const std::string& origin, uint32_t serial, int hosts)
      : origin_(N(origin)), serial_(serial) {
    for (auto& update : ZoneContent(origin, serial, hosts)) {
      zone::NormalizeRrsets(&update.rrsets);
      content_[update.name.ToText()] = update.rrsets;
    }
  }

  // The change giving `name` the content `after`; the model takes it as committed.
  ZoneChange Set(int64_t zone_id, const dns::Name& name, std::vector<zone::Rrset> after) {
    zone::NormalizeRrsets(&after);
    std::vector<zone::Rrset>& before = content_[name.ToText()];
    ZoneChange change;
    change.zone_id = zone_id;
    auto diff = [&](const std::vector<zone::Rrset>& from, const std::vector<zone::Rrset>& to,
                    std::vector<JournalRr>* out) {
      for (const auto& rrset : from) {
        const zone::Rrset* other = FindType(to, rrset.type);
        for (const auto& rdata : rrset.rdatas) {
          if (other == nullptr || other->ttl != rrset.ttl ||
              !std::binary_search(other->rdatas.begin(), other->rdatas.end(), rdata)) {
            out->push_back({name, rrset.type, rrset.ttl, rdata});
          }
        }
      }
    };
    diff(before, after, &change.removed);
    diff(after, before, &change.added);
    change.names.push_back({name, after});
    before = std::move(after);
    if (before.empty()) content_.erase(name.ToText());
    ++serial_;
    return change;
  }

  // A random change of one of a few names: new addresses, a TTL change, a TXT RRset added
  // or dropped, the name deleted, or a deleted name back.
  ZoneChange Random(int64_t zone_id, std::mt19937& random) {
    const dns::Name name = N("n" + std::to_string(random() % 6) + "." + origin_.ToText());
    const auto found = content_.find(name.ToText());
    std::vector<zone::Rrset> rrsets =
        found == content_.end() ? std::vector<zone::Rrset>() : found->second;
    const auto address = [&] {
      return A(10, 1, static_cast<uint8_t>(random() % 4), static_cast<uint8_t>(random() % 4));
    };
    switch (random() % 6) {
      case 0:  // delete
        rrsets.clear();
        break;
      case 1:  // TXT in or out
        if (FindType(rrsets, dns::RrType::kTxt) != nullptr) {
          std::erase_if(rrsets, [](const auto& r) { return r.type == dns::RrType::kTxt; });
        } else {
          rrsets.push_back({dns::RrType::kTxt, 300, {{3, 't', 'x', 't'}}});
        }
        break;
      case 2:  // TTL of the A RRset
        for (auto& rrset : rrsets) {
          if (rrset.type == dns::RrType::kA) rrset.ttl = rrset.ttl == 60 ? 120 : 60;
        }
        if (FindType(rrsets, dns::RrType::kA) == nullptr) rrsets.push_back(ARrset(address()));
        break;
      default: {  // addresses: one more, or a new set of one or two
        zone::Rrset* a = nullptr;
        for (auto& rrset : rrsets) {
          if (rrset.type == dns::RrType::kA) a = &rrset;
        }
        if (a != nullptr && random() % 2 == 0) {
          a->rdatas.push_back(address());
        } else {
          std::erase_if(rrsets, [](const auto& r) { return r.type == dns::RrType::kA; });
          zone::Rrset fresh = ARrset(address());
          if (random() % 2 == 0) fresh.rdatas.push_back(address());
          rrsets.push_back(fresh);
        }
      }
    }
    // Duplicate addresses drawn above are dropped by normalising.
    for (auto& rrset : rrsets) {
      std::sort(rrset.rdatas.begin(), rrset.rdatas.end());
      rrset.rdatas.erase(std::unique(rrset.rdatas.begin(), rrset.rdatas.end()), rrset.rdatas.end());
    }
    return Set(zone_id, name, std::move(rrsets));
  }

  // The expected content, the apex SOA with the serial of the last change.
  Content Expected() const {
    Content content = content_;
    for (auto& rrset : content[origin_.ToText()]) {
      if (rrset.type == dns::RrType::kSoa) rrset = SoaRrset(origin_.ToText(), serial_);
    }
    return content;
  }
  uint32_t serial() const { return serial_; }

 private:
  dns::Name origin_;
  uint32_t serial_;
  Content content_;
};

class FoldTest : public StoreTest {
 protected:
  sqlite::SqliteStore& Sqlite() { return dynamic_cast<sqlite::SqliteStore&>(*store_); }

  Content Load(const ZoneInfo& zone) {
    Content names;
    auto loaded = store_->LoadZone(zone.id, [&](zone::NameUpdate&& update) {
      EXPECT_EQ(names.count(update.name.ToText()), 0u) << "twice: " << update.name.ToText();
      names[update.name.ToText()] = std::move(update.rrsets);
    });
    EXPECT_TRUE(loaded) << loaded.error().message;
    return names;
  }

  void Commit(ZoneChange change) {
    auto committed = store_->Commit(std::move(change));
    ASSERT_TRUE(committed) << committed.error().message;
  }

  int64_t FoldedSeq(const ZoneInfo& zone) {
    return QueryInt(path(), "SELECT folded_seq FROM zones WHERE id = " + std::to_string(zone.id));
  }
  int64_t NameRows(const ZoneInfo& zone, const std::string& owner_key_hex) {
    return QueryInt(path(), "SELECT count(*) FROM names WHERE zone_id = " +
                                std::to_string(zone.id) + " AND owner = x'" + owner_key_hex + "'");
  }

  // Runs `child` in a forked process that ends with _exit() — no Close, no fold at close,
  // as if killed — and returns its exit status. The parent holds no store meanwhile.
  int InKilledProcess(const std::function<bool()>& child) {
    store_.reset();
    const pid_t pid = fork();
    if (pid == 0) _exit(child() ? 0 : 1);
    int status = -1;
    EXPECT_EQ(waitpid(pid, &status, 0), pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Commits 30 random changes in a process that folds `steps` steps of one name or entry
  // each and is then killed, mid-pass: some names rows are ahead of folded_seq. Loading
  // replays those entries over them again, and the next fold folds them again.
  void KillMidFold(bool from_memory, unsigned seed, size_t steps) {
    fold_.step = 1;
    fold_.from_memory = from_memory;
    Reopen();
    Create("example.com.", 1, 3);
    Model model("example.com.", 1, 3);
    std::mt19937 random(seed);
    std::vector<ZoneChange> changes;
    for (int i = 0; i < 30; ++i) changes.push_back(model.Random(1, random));
    const int status = InKilledProcess([&] {
      auto opened = sqlite::SqliteStore::Open(Options());
      if (!opened) return false;
      for (auto& change : changes) {
        if (!(*opened)->Commit(change)) return false;
      }
      if (!(*opened)->FoldJournal(steps)) return false;
      _exit(0);
    });
    ASSERT_EQ(status, 0);
    Reopen();
    ZoneInfo zone = **store_->GetZone(N("example.com."));
    EXPECT_EQ(FoldedSeq(zone), 0);
    EXPECT_EQ(Load(zone), model.Expected());
    ASSERT_TRUE(Sqlite().FoldJournal());
    EXPECT_EQ(FoldedSeq(zone), 30);
    EXPECT_EQ(Load(zone), model.Expected());
  }
};

TEST_F(FoldTest, CommitWritesTheJournalAndNoNameRow) {
  ZoneInfo zone = Create("example.com.", 10);
  auto committed = store_->Commit(SetA(zone, "www", A(192, 0, 2, 1)));
  ASSERT_TRUE(committed) << committed.error().message;
  EXPECT_EQ(NameRows(zone, "03777777"), 0);
  EXPECT_EQ(FoldedSeq(zone), 0);
  EXPECT_EQ(Load(zone)["www.example.com."], std::vector<zone::Rrset>{ARrset(A(192, 0, 2, 1))});
  ASSERT_TRUE(Sqlite().FoldJournal());
  EXPECT_EQ(NameRows(zone, "03777777"), 1);
  EXPECT_EQ(FoldedSeq(zone), 1);
}

TEST_F(FoldTest, CommitResultAndZoneInfoComeFromTheZonesRow) {
  ZoneInfo zone = Create("example.com.", 10);
  auto first = store_->Commit(SetA(zone, "www", A(192, 0, 2, 1)));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->soa, SoaRrset("example.com.", 11));
  ASSERT_TRUE(Sqlite().FoldJournal());
  auto second = store_->Commit(SetA(zone, "www", A(192, 0, 2, 2), A(192, 0, 2, 1)));
  ASSERT_TRUE(second);
  EXPECT_EQ(second->old_serial, 11u);
  EXPECT_EQ(second->soa, SoaRrset("example.com.", 12));
  EXPECT_EQ((*store_->GetZone(zone.origin))->serial, 12u);
  EXPECT_EQ(store_->ListZones()->front().journal_seq, 2u);
}

// The apex SOA in LoadZone follows the serial through commits, folds and reopening.
TEST_F(FoldTest, ApexSoaSerialAcrossFolds) {
  ZoneInfo zone = Create("example.com.", 10);
  Model model("example.com.", 10, 3);
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 3; ++i) {
      Commit(model.Set(zone.id, N("www.example.com."),
                       {ARrset(A(192, 0, 2, static_cast<uint8_t>(round * 3 + i)))}));
    }
    EXPECT_EQ(Load(zone), model.Expected()) << "round " << round << " before the fold";
    ASSERT_TRUE(Sqlite().FoldJournal());
    EXPECT_EQ(Load(zone), model.Expected()) << "round " << round << " after the fold";
    EXPECT_EQ((*store_->GetZone(zone.origin))->serial, model.serial());
  }
  Reopen();
  EXPECT_EQ(Load(zone), model.Expected());
}

TEST_F(FoldTest, TtlChangeRrsetDeletionNameDeletionAndReAdding) {
  ZoneInfo zone = Create("example.com.", 1, 3);
  Model model("example.com.", 1, 3);
  const dns::Name host0 = N("host0.example.com.");
  const dns::Name host1 = N("host1.example.com.");
  const zone::Rrset txt{dns::RrType::kTxt, 300, {{2, 'h', 'i'}}};
  const std::vector<std::vector<zone::Rrset>> host0_steps = {
      {ARrset(A(10, 0, 0, 0), 600)},  // TTL change
      {ARrset(A(10, 0, 0, 0), 600), txt},
      {txt},                     // the A RRset goes
      {},                        // the name goes
      {ARrset(A(10, 9, 9, 9))},  // and comes back
  };
  for (const auto& step : host0_steps) {
    Commit(model.Set(zone.id, host0, step));
    Commit(model.Set(zone.id, host1, step));
    EXPECT_EQ(Load(zone), model.Expected());
    // host1's changes are folded as they come; host0's wait in the journal until the end.
    ASSERT_TRUE(Sqlite().FoldJournal());
    EXPECT_EQ(Load(zone), model.Expected());
  }
  Commit(model.Set(zone.id, host0, {}));
  EXPECT_FALSE(Load(zone).contains("host0.example.com."));
  ASSERT_TRUE(Sqlite().FoldJournal());
  EXPECT_EQ(NameRows(zone, "05686f737430"), 0);  // host0
  EXPECT_EQ(Load(zone), model.Expected());
}

// Random changes, checked before any fold, part-way through folds (a step reads one entry
// or writes one name) and after full folds: replaying the journal over the names table
// gives what folding it in gives.
TEST_F(FoldTest, LoadIsCurrentBeforeDuringAndAfterFolds) {
  fold_.step = 1;
  Reopen();
  ZoneInfo zone = Create("example.com.", 1, 3);
  Model model("example.com.", 1, 3);
  std::mt19937 random(7);
  for (int round = 0; round < 12; ++round) {
    for (int i = 0; i < 6; ++i) Commit(model.Random(zone.id, random));
    const Content expected = model.Expected();
    ASSERT_EQ(Load(zone), expected) << "round " << round;
    // Some rounds fold part of the backlog, some all of it, some none.
    const size_t steps = round % 3 == 0 ? static_cast<size_t>(round % 4 + 3) : 0;
    if (round % 3 != 2) {
      ASSERT_TRUE(Sqlite().FoldJournal(steps));
    }
    ASSERT_EQ(Load(zone), expected) << "round " << round << " after folding";
  }
  ASSERT_TRUE(Sqlite().FoldJournal());
  EXPECT_EQ(FoldedSeq(zone), 72);
  EXPECT_EQ(Load(zone), model.Expected());
  Reopen();
  EXPECT_EQ(Load(zone), model.Expected());
}

TEST_F(FoldTest, TrimmingKeepsUnfoldedEntries) {
  limits_.max_entries = 2;
  Reopen();
  ZoneInfo zone = Create("example.com.", 1, 3);
  Model model("example.com.", 1, 3);
  for (int i = 0; i < 5; ++i) {
    Commit(
        model.Set(zone.id, N("www.example.com."), {ARrset(A(1, 1, 1, static_cast<uint8_t>(i)))}));
  }
  EXPECT_EQ(store_->ReadJournal(zone.id, 0)->size(), 5u);
  EXPECT_EQ(Load(zone), model.Expected());
  ASSERT_TRUE(Sqlite().FoldJournal());
  auto journal = store_->ReadJournal(zone.id, 0);
  ASSERT_EQ(journal->size(), 2u);
  EXPECT_EQ(journal->front().seq, 4u);
  // Commits leave the trimming to the next fold.
  Commit(model.Set(zone.id, N("www.example.com."), {ARrset(A(1, 1, 1, 9))}));
  EXPECT_EQ(store_->ReadJournal(zone.id, 0)->size(), 3u);
  ASSERT_TRUE(Sqlite().FoldJournal());
  EXPECT_EQ(store_->ReadJournal(zone.id, 0)->front().seq, 5u);
  EXPECT_EQ(Load(zone), model.Expected());
}

// Each fold step deletes at most FoldOptions::step entries, so that a commit never waits
// behind a large delete.
TEST_F(FoldTest, TrimmingGoesInSteps) {
  limits_.max_entries = 1;
  fold_.step = 2;
  fold_.from_memory = false;  // the steps counted below are the journal's
  Reopen();
  ZoneInfo zone = Create("example.com.", 1, 3);
  Model model("example.com.", 1, 3);
  for (int i = 0; i < 7; ++i) {
    Commit(
        model.Set(zone.id, N("www.example.com."), {ARrset(A(1, 1, 1, static_cast<uint8_t>(i)))}));
  }
  // 4 steps read the 7 entries, 1 writes both names (apex and www), 1 trims.
  ASSERT_TRUE(Sqlite().FoldJournal(6));
  EXPECT_EQ(FoldedSeq(zone), 7);
  EXPECT_EQ(store_->ReadJournal(zone.id, 0)->size(), 5u);
  ASSERT_TRUE(Sqlite().FoldJournal());
  EXPECT_EQ(store_->ReadJournal(zone.id, 0)->size(), 1u);
  EXPECT_EQ(Load(zone), model.Expected());
}

// A pass holds at most about max_names names' changes; a longer backlog takes more passes.
TEST_F(FoldTest, LongBacklogIsFoldedInSeveralPasses) {
  fold_.max_names = 2;
  fold_.step = 1;
  fold_.from_memory = false;  // a backlog: what a start finds
  Reopen();
  ZoneInfo zone = Create("example.com.", 1, 3);
  Model model("example.com.", 1, 3);
  for (int i = 0; i < 5; ++i) {
    const dns::Name name = N("n" + std::to_string(i) + ".example.com.");
    Commit(model.Set(zone.id, name, {ARrset(A(1, 1, 1, 1))}));
  }
  // The first entry touches two names (the apex and n0): the first pass stops there. Its
  // steps: read one entry, write two names, trim.
  ASSERT_TRUE(Sqlite().FoldJournal(4));
  EXPECT_EQ(FoldedSeq(zone), 1);
  EXPECT_EQ(Load(zone), model.Expected());
  ASSERT_TRUE(Sqlite().FoldJournal());
  EXPECT_EQ(FoldedSeq(zone), 5);
  EXPECT_EQ(Load(zone), model.Expected());
}

TEST_F(FoldTest, CloseFoldsEverything) {
  ZoneInfo zone = Create("example.com.", 1, 3);
  Model model("example.com.", 1, 3);
  for (int i = 0; i < 4; ++i) {
    Commit(
        model.Set(zone.id, N("www.example.com."), {ARrset(A(1, 1, 1, static_cast<uint8_t>(i)))}));
  }
  Reopen();
  EXPECT_EQ(FoldedSeq(zone), 4);
  EXPECT_EQ(Load(zone), model.Expected());
}

TEST_F(FoldTest, FoldsByItselfOnceEnoughNamesAreUnfolded) {
  fold_ = FoldOptions{
      .automatic = true, .max_names = 3, .max_delay_ms = 3600000, .idle_ms = 3600000, .step = 4096};
  Reopen();
  ZoneInfo zone = Create("example.com.", 1, 3);
  Model model("example.com.", 1, 3);
  for (int i = 0; i < 3; ++i) {
    Commit(
        model.Set(zone.id, N("www.example.com."), {ARrset(A(1, 1, 1, static_cast<uint8_t>(i)))}));
  }
  // The committer folds after the third commit, on its own schedule: wait for it.
  for (int i = 0; i < 100000 && FoldedSeq(zone) != 3; ++i) std::this_thread::yield();
  EXPECT_EQ(FoldedSeq(zone), 3);
  EXPECT_EQ(Load(zone), model.Expected());
}

TEST_F(FoldTest, FoldsByItselfWhenIdle) {
  fold_ = FoldOptions{
      .automatic = true, .max_names = 1000, .max_delay_ms = 3600000, .idle_ms = 0, .step = 4096};
  Reopen();
  ZoneInfo zone = Create("example.com.", 1, 3);
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));
  for (int i = 0; i < 100000 && FoldedSeq(zone) != 1; ++i) std::this_thread::yield();
  EXPECT_EQ(FoldedSeq(zone), 1);
}

// A zone deleted while a fold pass holds its entries, and created again (its id may be
// reused): nothing of the old zone reaches the new one.
TEST_F(FoldTest, ZoneDeletedDuringAFoldPass) {
  fold_.step = 1;
  Reopen();
  ZoneInfo zone = Create("example.com.", 1, 3);
  Commit(SetA(zone, "www", A(1, 1, 1, 1)));
  Commit(SetA(zone, "ghost", A(1, 1, 1, 2)));
  ASSERT_TRUE(Sqlite().FoldJournal(3));  // both entries read, one name written
  ASSERT_TRUE(*store_->DeleteZone(zone.origin));
  ZoneInfo again = Create("example.com.", 50, 2);
  ASSERT_TRUE(Sqlite().FoldJournal());
  Content expected;
  for (auto& update : ZoneContent("example.com.", 50, 2)) {
    zone::NormalizeRrsets(&update.rrsets);
    expected[update.name.ToText()] = update.rrsets;
  }
  EXPECT_EQ(Load(again), expected);
}

TEST_F(FoldTest, CommitRefusesADiffThatDisagreesWithTheNames) {
  ZoneInfo zone = Create("example.com.", 1, 3);
  const dns::Name host0 = N("host0.example.com.");
  ZoneChange unlisted = SetA(zone, "www", A(1, 1, 1, 1));
  unlisted.removed.push_back({host0, dns::RrType::kA, 60, A(10, 0, 0, 0)});
  ZoneChange missing = SetA(zone, "www", A(1, 1, 1, 1));
  missing.added.push_back({N("www.example.com."), dns::RrType::kA, 60, A(1, 1, 1, 2)});
  ZoneChange other_ttl = SetA(zone, "www", A(1, 1, 1, 1));
  other_ttl.added.front().ttl = 61;
  ZoneChange kept = SetA(zone, "host0", A(1, 1, 1, 1));
  kept.names.front().rrsets.front().rdatas.push_back(A(10, 0, 0, 0));
  kept.added.push_back({host0, dns::RrType::kA, 60, A(1, 1, 1, 1)});
  kept.removed.push_back({host0, dns::RrType::kA, 60, A(10, 0, 0, 0)});
  for (auto* change : {&unlisted, &missing, &other_ttl, &kept}) {
    auto result = store_->Commit(*change);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_EQ((*store_->GetZone(zone.origin))->journal_seq, 0u);
}

// Killed after acknowledged commits (no close, so no fold): all of them are there.
TEST_F(FoldTest, KilledBeforeFoldingLosesNothing) {
  Create("example.com.", 1, 3);
  Model model("example.com.", 1, 3);
  std::mt19937 random(3);
  std::vector<ZoneChange> changes;
  for (int i = 0; i < 40; ++i) changes.push_back(model.Random(1, random));
  const int status = InKilledProcess([&] {
    auto opened = OpenSqliteStore(Options());
    if (!opened) return false;
    for (auto& change : changes) {
      if (!(*opened)->Commit(change)) return false;
    }
    _exit(0);  // the store is never closed
  });
  ASSERT_EQ(status, 0);
  Reopen();
  auto zone = store_->GetZone(N("example.com."));
  ASSERT_TRUE(zone && *zone);
  EXPECT_EQ((*zone)->serial, model.serial());
  EXPECT_EQ(FoldedSeq(**zone), 0);
  EXPECT_EQ(Load(**zone), model.Expected());
  ASSERT_TRUE(Sqlite().FoldJournal());
  EXPECT_EQ(Load(**zone), model.Expected());
}

TEST_F(FoldTest, KilledMidFoldLosesNothing) {
  // From the journal: 30 steps read the entries (one each); then 3 of the names touched
  // are written.
  KillMidFold(false, 5, 33);
}

// ---- folding from memory (sqlite/writer.h) ----

// Every row of the names table, by owner.
std::map<std::string, std::string> NameRowsOf(const std::string& path) {
  std::map<std::string, std::string> rows;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, "SELECT zone_id, owner, data FROM names", -1, &stmt, nullptr),
            SQLITE_OK);
  while (sqlite3_step(stmt) == SQLITE_ROW) {
    auto bytes = [&](int column) {
      return std::string(static_cast<const char*>(sqlite3_column_blob(stmt, column)),
                         static_cast<size_t>(sqlite3_column_bytes(stmt, column)));
    };
    rows[std::to_string(sqlite3_column_int64(stmt, 0)) + "/" + bytes(1)] = bytes(2);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return rows;
}

// The same commits folded from memory and from the journal leave the same names table,
// byte for byte: the apex with the newest SOA, deleted names gone, TTL changes kept.
TEST_F(FoldTest, FoldFromMemoryWritesWhatTheJournalWould) {
  std::mt19937 random(11);
  std::vector<ZoneChange> changes;
  {
    Model model("example.com.", 1, 3);
    for (int i = 0; i < 200; ++i) changes.push_back(model.Random(1, random));
  }
  std::map<std::string, std::string> tables[2];
  for (bool from_memory : {true, false}) {
    fold_.from_memory = from_memory;
    fold_.step = 7;
    Reopen();
    ZoneInfo zone = Create("example.com.", 1, 3);
    ASSERT_EQ(zone.id, 1);
    Model model("example.com.", 1, 3);
    std::mt19937 again(11);
    for (size_t i = 0; i < changes.size(); ++i) {
      Commit(model.Random(zone.id, again));
      // Folds now and then, some of them cut short.
      if (i % 37 == 36) {
        ASSERT_TRUE(Sqlite().FoldJournal(i % 2 == 0 ? 2 : 0));
      }
    }
    ASSERT_TRUE(Sqlite().FoldJournal());
    EXPECT_EQ(FoldedSeq(zone), 200);
    EXPECT_EQ(Load(zone), model.Expected());
    tables[from_memory ? 0 : 1] = NameRowsOf(path());
    store_.reset();
    std::filesystem::remove(path());
    std::filesystem::remove(path() + "-wal");
    std::filesystem::remove(path() + "-shm");
  }
  EXPECT_EQ(tables[0].size(), tables[1].size());
  EXPECT_TRUE(tables[0] == tables[1]);
}

// A refused commit rolls its job back: the memo is dropped (it might miss or hold a change
// that is not stored), and the zone is folded from the journal until a new memo is
// complete. The content is right all along.
TEST_F(FoldTest, FoldAfterARefusedCommitIsStillRight) {
  fold_.step = 3;
  Reopen();
  ZoneInfo zone = Create("example.com.", 1, 3);
  Model model("example.com.", 1, 3);
  std::mt19937 random(13);
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 10; ++i) Commit(model.Random(zone.id, random));
    if (round % 2 == 0) {
      ZoneChange bad;
      bad.zone_id = zone.id;
      bad.names.push_back({N("www.example.com."), {ARrset(A(9, 9, 9, 9))}});
      bad.added.push_back({N("www.example.com."), dns::RrType::kA, 60, A(8, 8, 8, 8)});
      EXPECT_FALSE(store_->Commit(std::move(bad)));  // the diff adds what the names lack
    }
    for (int i = 0; i < 10; ++i) Commit(model.Random(zone.id, random));
    ASSERT_TRUE(Sqlite().FoldJournal(round % 3 == 1 ? 1 : 0));
    ASSERT_EQ(Load(zone), model.Expected()) << "round " << round;
  }
  ASSERT_TRUE(Sqlite().FoldJournal());
  EXPECT_EQ(FoldedSeq(zone), 120);
  Reopen();
  EXPECT_EQ(Load(zone), model.Expected());
}

// A fold from memory cut short the same way; the next start folds from the journal.
TEST_F(FoldTest, KilledMidFoldFromMemoryLosesNothing) {
  // From memory: each step writes one name; two of them, then the kill.
  KillMidFold(true, 17, 2);
}

// A zone removed and made again under the same id never gets the old zone's memo.
TEST_F(FoldTest, ZoneMadeAgainDoesNotFoldTheOldContent) {
  ZoneInfo zone = Create("example.com.", 1, 3);
  {
    Model model("example.com.", 1, 3);
    for (int i = 0; i < 5; ++i) {
      Commit(model.Set(zone.id, N("old" + std::to_string(i) + ".example.com."),
                       {ARrset(A(1, 1, 1, 1))}));
    }
  }
  ASSERT_TRUE(*store_->DeleteZone(N("example.com.")));
  ZoneInfo again = Create("example.com.", 1, 3);
  Model model("example.com.", 1, 3);
  Commit(model.Set(again.id, N("new.example.com."), {ARrset(A(2, 2, 2, 2))}));
  ASSERT_TRUE(Sqlite().FoldJournal());
  EXPECT_EQ(Load(again), model.Expected());
  EXPECT_EQ(QueryInt(path(), "SELECT count(*) FROM names WHERE owner = x'" +
                                 std::string("036f6c6430") + "'"),
            0);
}

// ---- migration from schema version 1 ----

std::string Hex(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "x'";
  for (uint8_t byte : bytes) {
    text += kDigits[byte >> 4];
    text += kDigits[byte & 15];
  }
  return text + "'";
}

std::string RrsetsHex(const std::vector<zone::Rrset>& rrsets) {
  std::vector<uint8_t> blob;
  EncodeRrsets(rrsets, &blob);
  return Hex(blob);
}

std::string JournalHex(const std::vector<JournalRr>& rrs) {
  std::vector<uint8_t> blob;
  EncodeJournalRrs(rrs, &blob);
  return Hex(blob);
}

// The schema of version 1, as Tether wrote it before the journal came first.
constexpr char kSchemaVersion1[] = R"sql(
PRAGMA application_id = 1415926888;
CREATE TABLE meta (key TEXT PRIMARY KEY, value ANY) STRICT;
CREATE TABLE zones (
  id INTEGER PRIMARY KEY, origin BLOB NOT NULL UNIQUE, serial_policy TEXT NOT NULL,
  serial INTEGER NOT NULL, journal_seq INTEGER NOT NULL, allow_update TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE TABLE names (
  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE, owner BLOB NOT NULL,
  data BLOB NOT NULL, PRIMARY KEY (zone_id, owner)
) STRICT, WITHOUT ROWID;
CREATE TABLE journal (
  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
  serial_from INTEGER NOT NULL, serial_to INTEGER NOT NULL, time INTEGER NOT NULL,
  removed BLOB NOT NULL, added BLOB NOT NULL, PRIMARY KEY (zone_id, seq)
) STRICT;
CREATE TABLE keys (name BLOB PRIMARY KEY, algorithm TEXT NOT NULL, secret BLOB NOT NULL) STRICT;
CREATE TABLE grants (
  key_name BLOB NOT NULL REFERENCES keys(name) ON DELETE CASCADE,
  zone_id INTEGER NOT NULL REFERENCES zones(id) ON DELETE CASCADE, scope TEXT NOT NULL,
  name BLOB NOT NULL, types TEXT NOT NULL, UNIQUE (key_name, zone_id, scope, name, types)
) STRICT;
CREATE INDEX grants_by_zone ON grants(zone_id);
INSERT INTO meta VALUES('schema_version', 1);
)sql";

TEST_F(FoldTest, MigratesAVersion1File) {
  store_.reset();
  std::filesystem::remove(path());
  const dns::Name origin = N("example.com.");
  const dns::Name www = N("www.example.com.");
  const std::vector<zone::Rrset> apex = {NsRrset("example.com."), SoaRrset("example.com.", 7)};
  // A journal entry version 1 had folded into its names already. Replayed, it would add
  // an address the names do not have: the migration must mark it folded.
  const std::vector<JournalRr> removed = {
      {origin, dns::RrType::kSoa, 3600, SoaRdata("example.com.", 6)}};
  const std::vector<JournalRr> added = {
      {origin, dns::RrType::kSoa, 3600, SoaRdata("example.com.", 7)},
      {www, dns::RrType::kA, 60, A(192, 0, 2, 99)}};
  ExecSql(path(),
          std::string(kSchemaVersion1) +
              "INSERT INTO zones(id, origin, serial_policy, serial, journal_seq) VALUES(1, " +
              Hex(Wire(origin)) + ", 'increment', 7, 1);" + "INSERT INTO names VALUES(1, x'', " +
              RrsetsHex(apex) + ");" + "INSERT INTO names VALUES(1, x'03777777', " +
              RrsetsHex({ARrset(A(192, 0, 2, 1))}) + ");" +
              "INSERT INTO journal VALUES(1, 1, 6, 7, 1700000000, " + JournalHex(removed) + ", " +
              JournalHex(added) + ");");
  Reopen();
  EXPECT_EQ(QueryInt(path(), "SELECT value FROM meta WHERE key = 'schema_version'"), sqlite::LatestSchemaVersion());
  auto zone = store_->GetZone(origin);
  ASSERT_TRUE(zone && *zone);
  EXPECT_EQ((*zone)->serial, 7u);
  EXPECT_EQ((*zone)->journal_seq, 1u);
  EXPECT_EQ(FoldedSeq(**zone), 1);
  const Content before = {{"example.com.", apex}, {"www.example.com.", {ARrset(A(192, 0, 2, 1))}}};
  EXPECT_EQ(Load(**zone), before);

  // The SOA came over into the zones row: commits go on from it.
  auto committed = store_->Commit(SetA(**zone, "www", A(192, 0, 2, 2), A(192, 0, 2, 1)));
  ASSERT_TRUE(committed) << committed.error().message;
  EXPECT_EQ(committed->soa, SoaRrset("example.com.", 8));
  Content after = {{"example.com.", {NsRrset("example.com."), SoaRrset("example.com.", 8)}},
                   {"www.example.com.", {ARrset(A(192, 0, 2, 2))}}};
  EXPECT_EQ(Load(**zone), after);
  EXPECT_EQ(store_->ReadJournal((*zone)->id, 0)->size(), 2u);
  Reopen();
  EXPECT_EQ(Load(**zone), after);
}

}  // namespace
}  // namespace tether::store::testing
