// Commit in both stores: serial allocation, the apex SOA, the journal and its bounds.
#include <gtest/gtest.h>

#include "store/serial.h"
#include "store_test_util.h"

namespace tether::store::testing {
namespace {

std::vector<zone::Rrset> LoadName(Store& store, int64_t zone_id, const dns::Name& name) {
  std::vector<zone::Rrset> found;
  EXPECT_TRUE(store.LoadZone(zone_id, [&](zone::NameUpdate&& update) {
    if (update.name == name) found = std::move(update.rrsets);
  }));
  return found;
}

uint32_t StoredSoaSerial(Store& store, const ZoneInfo& zone) {
  for (const auto& rrset : LoadName(store, zone.id, zone.origin)) {
    if (rrset.type == dns::RrType::kSoa) return *SoaSerial(rrset.rdatas.front());
  }
  ADD_FAILURE() << "no SOA";
  return 0;
}

class CommitTest : public AnyStoreTest {
 protected:
  // `count` changes of www's address, each replacing the one before.
  void ChangeWww(const ZoneInfo& zone, int count) {
    for (int i = 0; i < count; ++i) {
      std::vector<uint8_t> previous;
      if (i > 0) previous = A(1, 1, 1, static_cast<uint8_t>(i - 1));
      ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, static_cast<uint8_t>(i)), previous)));
    }
  }
};
TETHER_BOTH_STORES(CommitTest);

TEST_P(CommitTest, IncrementPolicyAddsOne) {
  ZoneInfo zone = Create("example.com.", 10);
  auto result = store_->Commit(SetA(zone, "www", A(192, 0, 2, 1)));
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->old_serial, 10u);
  EXPECT_EQ(result->new_serial, 11u);
  EXPECT_EQ(result->journal_seq, 1u);
  auto info = store_->GetZone(zone.origin);
  EXPECT_EQ((*info)->serial, 11u);
  EXPECT_EQ((*info)->journal_seq, 1u);
  EXPECT_EQ(LoadName(*store_, zone.id, N("www.example.com.")),
            std::vector<zone::Rrset>{ARrset(A(192, 0, 2, 1))});
}

TEST_P(CommitTest, IncrementWrapsAroundAtTwoToThe32) {
  ZoneInfo zone = Create("example.com.", 0xffffffff);
  auto result = store_->Commit(SetA(zone, "www", A(192, 0, 2, 1)));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->new_serial, 0u);
  EXPECT_EQ(StoredSoaSerial(*store_, zone), 0u);
}

TEST_P(CommitTest, UnixTimePolicyUsesTheClock) {
  clock_.Set(1700000000);
  ZoneInfo zone = Create("example.com.", 5, 1, SerialPolicy::kUnixTime);
  EXPECT_EQ(store_->Commit(SetA(zone, "a", A(1, 1, 1, 1)))->new_serial, 1700000000u);
  // Twice in one second: the serial still moves.
  EXPECT_EQ(store_->Commit(SetA(zone, "b", A(1, 1, 1, 1)))->new_serial, 1700000001u);
  clock_.Set(1700000100);
  EXPECT_EQ(store_->Commit(SetA(zone, "c", A(1, 1, 1, 1)))->new_serial, 1700000100u);
}

TEST_P(CommitTest, UnixTimePolicyIncrementsASerialAheadOfTheClock) {
  clock_.Set(1700000000);
  ZoneInfo zone = Create("example.com.", 2024010100, 1, SerialPolicy::kUnixTime);
  EXPECT_EQ(store_->Commit(SetA(zone, "a", A(1, 1, 1, 1)))->new_serial, 2024010101u);
}

TEST_P(CommitTest, RequestedGreaterSoaSerialWins) {
  ZoneInfo zone = Create("example.com.", 10);
  ZoneChange change;
  change.zone_id = zone.id;
  // The apex as the update path sends it: every RRset, the SOA with the serial asked for.
  zone::Rrset soa{dns::RrType::kSoa, 7200, {SoaRdata("example.com.", 500, 30)}};
  change.names.push_back({zone.origin, {NsRrset("example.com."), soa}});
  auto result = store_->Commit(change);
  ASSERT_TRUE(result) << result.error().message;
  EXPECT_EQ(result->new_serial, 500u);
  EXPECT_EQ(result->soa, soa);  // its other fields and TTL are kept too
  EXPECT_EQ(StoredSoaSerial(*store_, zone), 500u);
}

TEST_P(CommitTest, RequestedSmallerSoaSerialLoses) {
  ZoneInfo zone = Create("example.com.", 10);
  ZoneChange change;
  change.zone_id = zone.id;
  change.names.push_back({zone.origin, {NsRrset("example.com."), SoaRrset("example.com.", 3)}});
  auto result = store_->Commit(change);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->new_serial, 11u);
}

TEST_P(CommitTest, ApexSoaIsRewrittenAndOtherApexDataKept) {
  ZoneInfo zone = Create("example.com.", 10);
  auto result = store_->Commit(SetA(zone, "www", A(1, 2, 3, 4)));
  ASSERT_TRUE(result);
  auto apex = LoadName(*store_, zone.id, zone.origin);
  ASSERT_EQ(apex.size(), 2u);
  EXPECT_EQ(apex[0], NsRrset("example.com."));
  EXPECT_EQ(apex[1], SoaRrset("example.com.", 11));
  EXPECT_EQ(result->soa, SoaRrset("example.com.", 11));
}

TEST_P(CommitTest, ApexChangeWithoutSoaKeepsTheStoredSoa) {
  ZoneInfo zone = Create("example.com.", 10);
  ZoneChange change;
  change.zone_id = zone.id;
  zone::Rrset txt{dns::RrType::kTxt, 60, {{2, 'h', 'i'}}};
  change.names.push_back({zone.origin, {NsRrset("example.com."), txt}});
  change.added.push_back({zone.origin, dns::RrType::kTxt, 60, txt.rdatas.front()});
  ASSERT_TRUE(store_->Commit(change));
  auto apex = LoadName(*store_, zone.id, zone.origin);
  EXPECT_EQ(apex,
            (std::vector<zone::Rrset>{NsRrset("example.com."), SoaRrset("example.com.", 11), txt}));
}

TEST_P(CommitTest, EmptyRrsetsDeleteTheName) {
  ZoneInfo zone = Create("example.com.", 10, 2);
  ZoneChange change;
  change.zone_id = zone.id;
  change.names.push_back({N("host0.example.com."), {}});
  change.removed.push_back({N("host0.example.com."), dns::RrType::kA, 60, A(10, 0, 0, 0)});
  ASSERT_TRUE(store_->Commit(change));
  size_t names = 0;
  ASSERT_TRUE(store_->LoadZone(zone.id, [&](zone::NameUpdate&& update) {
    EXPECT_NE(update.name, N("host0.example.com."));
    ++names;
  }));
  EXPECT_EQ(names, 2u);
}

TEST_P(CommitTest, JournalHasSoasFirst) {
  clock_.Set(1700000123);
  ZoneInfo zone = Create("example.com.", 10, 1);
  ZoneChange change;
  change.zone_id = zone.id;
  const dns::Name host = N("host0.example.com.");
  change.names.push_back({host, {ARrset(A(9, 9, 9, 9))}});
  change.removed.push_back({host, dns::RrType::kA, 60, A(10, 0, 0, 0)});
  change.added.push_back({host, dns::RrType::kA, 60, A(9, 9, 9, 9)});
  // An SOA in the diff is the store's business: it is dropped, not journaled twice.
  change.added.push_back({zone.origin, dns::RrType::kSoa, 3600, SoaRdata("example.com.", 77)});
  ASSERT_TRUE(store_->Commit(change));

  auto journal = store_->ReadJournal(zone.id, 0);
  ASSERT_TRUE(journal) << journal.error().message;
  ASSERT_EQ(journal->size(), 1u);
  const JournalEntry& entry = journal->front();
  EXPECT_EQ(entry.seq, 1u);
  EXPECT_EQ(entry.serial_from, 10u);
  EXPECT_EQ(entry.serial_to, 11u);
  EXPECT_EQ(entry.time, 1700000123);
  EXPECT_EQ(entry.removed, (std::vector<JournalRr>{
                               {zone.origin, dns::RrType::kSoa, 3600, SoaRdata("example.com.", 10)},
                               {host, dns::RrType::kA, 60, A(10, 0, 0, 0)}}));
  EXPECT_EQ(entry.added, (std::vector<JournalRr>{
                             {zone.origin, dns::RrType::kSoa, 3600, SoaRdata("example.com.", 11)},
                             {host, dns::RrType::kA, 60, A(9, 9, 9, 9)}}));
}

TEST_P(CommitTest, ReadJournalStartsAfterTheGivenSeq) {
  ZoneInfo zone = Create("example.com.", 10);
  ChangeWww(zone, 4);
  auto journal = store_->ReadJournal(zone.id, 2);
  ASSERT_TRUE(journal);
  ASSERT_EQ(journal->size(), 2u);
  EXPECT_EQ((*journal)[0].seq, 3u);
  EXPECT_EQ((*journal)[0].serial_from, 12u);
  EXPECT_EQ((*journal)[1].seq, 4u);
  EXPECT_TRUE(store_->ReadJournal(zone.id, 4)->empty());
}

// SQLite: the fold trims the journal (commits do not), once the entries are folded;
// PostgreSQL: the commit trims it.
TEST_P(CommitTest, JournalIsTrimmedByCount) {
  limits_.max_entries = 3;
  Reopen();
  ZoneInfo zone = Create("example.com.", 10);
  ChangeWww(zone, 5);
  Settle();
  auto journal = store_->ReadJournal(zone.id, 0);
  ASSERT_EQ(journal->size(), 3u);
  EXPECT_EQ(journal->front().seq, 3u);
  EXPECT_EQ(journal->back().seq, 5u);
}

TEST_P(CommitTest, JournalIsTrimmedByAge) {
  limits_.max_age_seconds = 100;
  Reopen();
  ZoneInfo zone = Create("example.com.", 10);
  const int64_t start = 1700000000;
  std::vector<uint8_t> previous;
  for (int64_t offset : {0, 50, 60, 200}) {
    clock_.Set(start + offset);
    const auto address = A(1, 1, 1, static_cast<uint8_t>(offset));
    ASSERT_TRUE(store_->Commit(SetA(zone, "www", address, previous)));
    previous = address;
  }
  Settle();
  // At start+200 the cutoff is start+100: the entries of start+0, +50 and +60 go.
  auto journal = store_->ReadJournal(zone.id, 0);
  ASSERT_EQ(journal->size(), 1u);
  EXPECT_EQ(journal->front().seq, 4u);
  EXPECT_EQ(journal->front().time, start + 200);
}

TEST_P(CommitTest, JournalTrimIsPerZone) {
  limits_.max_entries = 1;
  Reopen();
  ZoneInfo a = Create("a.example.");
  ZoneInfo b = Create("b.example.");
  ASSERT_TRUE(store_->Commit(SetA(a, "www", A(1, 1, 1, 1))));
  ASSERT_TRUE(store_->Commit(SetA(b, "www", A(1, 1, 1, 1))));
  ASSERT_TRUE(store_->Commit(SetA(b, "www", A(1, 1, 1, 2), A(1, 1, 1, 1))));
  Settle();
  EXPECT_EQ(store_->ReadJournal(a.id, 0)->size(), 1u);
  ASSERT_EQ(store_->ReadJournal(b.id, 0)->size(), 1u);
  EXPECT_EQ(store_->ReadJournal(b.id, 0)->front().seq, 2u);
}

TEST_P(CommitTest, NameOutsideTheZoneFailsAndChangesNothing) {
  ZoneInfo zone = Create("example.com.", 10);
  ZoneChange change = SetA(zone, "www", A(1, 1, 1, 1));
  change.names.push_back({N("www.example.org."), {ARrset(A(1, 1, 1, 1))}});
  auto result = store_->Commit(change);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ((*store_->GetZone(zone.origin))->serial, 10u);
  EXPECT_TRUE(LoadName(*store_, zone.id, N("www.example.com.")).empty());
}

// A name listed twice has its last listing as its content: the diff is checked against
// that one (refusals of other disagreements: FoldTest.CommitRefusesADiffThatDisagrees...).
TEST_P(CommitTest, NameListedTwiceIsCheckedAgainstItsLastListing) {
  ZoneInfo zone = Create("example.com.", 10);
  ZoneChange last_agrees = SetA(zone, "www", A(1, 1, 1, 3));
  last_agrees.names.insert(last_agrees.names.begin(),
                           {N("www.example.com."), {ARrset(A(1, 1, 1, 4))}});
  ASSERT_TRUE(store_->Commit(last_agrees));
  ZoneChange first_agrees = SetA(zone, "www", A(1, 1, 1, 5), A(1, 1, 1, 3));
  first_agrees.names.push_back({N("www.example.com."), {ARrset(A(1, 1, 1, 6))}});
  auto result = store_->Commit(first_agrees);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ((*store_->GetZone(zone.origin))->serial, 11u);
}

// A TTL change removes and adds the whole RRset: every removed record that the new content
// still holds is found among the added ones, for many names in one commit.
TEST_P(CommitTest, ATtlChangeOfManyNamesIsOneCommit) {
  ZoneInfo zone = Create("example.com.", 10, 300);
  ZoneChange change;
  change.zone_id = zone.id;
  for (int i = 299; i >= 0; --i) {  // in no particular order
    const dns::Name name = N("host" + std::to_string(i) + ".example.com.");
    const auto address = A(10, 0, static_cast<uint8_t>(i >> 8), static_cast<uint8_t>(i));
    change.names.push_back({name, {ARrset(address, 120)}});
    change.removed.push_back({name, dns::RrType::kA, 60, address});
    change.added.push_back({name, dns::RrType::kA, 120, address});
  }
  ASSERT_TRUE(store_->Commit(change));
  const auto journal = store_->ReadJournal(zone.id, 0);
  ASSERT_TRUE(journal);
  ASSERT_EQ(journal->size(), 1u);
  EXPECT_EQ(journal->front().removed.size(), 301u);  // the SOA first
  EXPECT_EQ(journal->front().added.size(), 301u);
  EXPECT_EQ(LoadName(*store_, zone.id, N("host7.example.com.")),
            (std::vector<zone::Rrset>{ARrset(A(10, 0, 0, 7), 120)}));
}

TEST_P(CommitTest, UnknownZoneIsNotFound) {
  ZoneChange change;
  change.zone_id = 4242;
  auto result = store_->Commit(change);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace tether::store::testing
