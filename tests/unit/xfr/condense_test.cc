// Condense: a run of journal entries as one net difference (RFC 1995 5).
#include "xfr/condense.h"

#include <gtest/gtest.h>

#include "../store/store_test_util.h"

namespace tether::xfr {
namespace {

using store::JournalEntry;
using store::JournalRr;
using store::testing::A;
using store::testing::N;

const char* kOrigin = "example.com.";

JournalRr Soa(uint32_t serial) {
  return {N(kOrigin), dns::RrType::kSoa, 3600, store::testing::SoaRdata(kOrigin, serial)};
}

JournalRr RrA(const std::string& owner, uint8_t last, uint32_t ttl = 60) {
  return {N(owner), dns::RrType::kA, ttl, A(192, 0, 2, last)};
}

JournalRr Txt(const std::string& owner, const std::string& text, uint32_t ttl = 60) {
  std::vector<uint8_t> rdata{static_cast<uint8_t>(text.size())};
  rdata.insert(rdata.end(), text.begin(), text.end());
  return {N(owner), dns::RrType::kTxt, ttl, rdata};
}

// The entry from `serial` to serial + 1 removing and adding the given RRs (SOAs added).
JournalEntry Entry(uint32_t serial, std::vector<JournalRr> removed, std::vector<JournalRr> added) {
  JournalEntry entry;
  entry.seq = serial;
  entry.serial_from = serial;
  entry.serial_to = serial + 1;
  entry.time = 1000 + serial;
  entry.removed.push_back(Soa(serial));
  entry.removed.insert(entry.removed.end(), removed.begin(), removed.end());
  entry.added.push_back(Soa(serial + 1));
  entry.added.insert(entry.added.end(), added.begin(), added.end());
  return entry;
}

TEST(CondenseTest, OneEntryIsUnchanged) {
  const std::vector<JournalEntry> entries = {
      Entry(5, {RrA("a.example.com.", 1), Txt("b.example.com.", "old")},
            {RrA("a.example.com.", 2), Txt("b.example.com.", "new", 300)})};
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.seq, entries[0].seq);
  EXPECT_EQ(condensed.serial_from, 5u);
  EXPECT_EQ(condensed.serial_to, 6u);
  EXPECT_EQ(condensed.time, entries[0].time);
  EXPECT_EQ(condensed.removed, entries[0].removed);
  EXPECT_EQ(condensed.added, entries[0].added);
}

TEST(CondenseTest, SoasAreTheFirstOldAndTheLastNew) {
  const std::vector<JournalEntry> entries = {Entry(5, {}, {RrA("a.example.com.", 1)}),
                                             Entry(6, {}, {RrA("b.example.com.", 2)}),
                                             Entry(7, {}, {RrA("c.example.com.", 3)})};
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.seq, 7u);
  EXPECT_EQ(condensed.serial_from, 5u);
  EXPECT_EQ(condensed.serial_to, 8u);
  EXPECT_EQ(condensed.time, 1007);
  EXPECT_EQ(condensed.removed, std::vector<JournalRr>{Soa(5)});
  EXPECT_EQ(condensed.added,
            (std::vector<JournalRr>{Soa(8), RrA("a.example.com.", 1), RrA("b.example.com.", 2),
                                    RrA("c.example.com.", 3)}));
}

TEST(CondenseTest, AddedThenRemovedDoesNotAppear) {
  const std::vector<JournalEntry> entries = {
      Entry(5, {}, {RrA("a.example.com.", 1), RrA("b.example.com.", 2)}),
      Entry(6, {RrA("a.example.com.", 1)}, {})};
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.removed, std::vector<JournalRr>{Soa(5)});
  EXPECT_EQ(condensed.added, (std::vector<JournalRr>{Soa(7), RrA("b.example.com.", 2)}));
}

TEST(CondenseTest, RemovedThenAddedWithTheSameTtlDoesNotAppear) {
  const std::vector<JournalEntry> entries = {Entry(5, {RrA("a.example.com.", 1)}, {}),
                                             Entry(6, {}, {RrA("a.example.com.", 1)})};
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.removed, std::vector<JournalRr>{Soa(5)});
  EXPECT_EQ(condensed.added, std::vector<JournalRr>{Soa(7)});
}

TEST(CondenseTest, TtlChangeIsTheOldRemovedAndTheNewAdded) {
  const std::vector<JournalEntry> entries = {
      Entry(5, {RrA("a.example.com.", 1, 60)}, {RrA("a.example.com.", 1, 300)}),
      Entry(6, {RrA("a.example.com.", 1, 300)}, {RrA("a.example.com.", 1, 600)})};
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.removed, (std::vector<JournalRr>{Soa(5), RrA("a.example.com.", 1, 60)}));
  EXPECT_EQ(condensed.added, (std::vector<JournalRr>{Soa(7), RrA("a.example.com.", 1, 600)}));
}

TEST(CondenseTest, TtlChangedAndBackDoesNotAppear) {
  const std::vector<JournalEntry> entries = {
      Entry(5, {RrA("a.example.com.", 1, 60)}, {RrA("a.example.com.", 1, 300)}),
      Entry(6, {RrA("a.example.com.", 1, 300)}, {RrA("a.example.com.", 1, 60)})};
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.removed, std::vector<JournalRr>{Soa(5)});
  EXPECT_EQ(condensed.added, std::vector<JournalRr>{Soa(7)});
}

TEST(CondenseTest, NameDeletedAndMadeAgainIsItsNetChange) {
  // www had A .1 and TXT "x"; it is deleted, then made again with A .1 and A .2.
  const std::vector<JournalEntry> entries = {
      Entry(5, {RrA("www.example.com.", 1), Txt("www.example.com.", "x")}, {}),
      Entry(6, {}, {RrA("www.example.com.", 1), RrA("www.example.com.", 2)})};
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.removed, (std::vector<JournalRr>{Soa(5), Txt("www.example.com.", "x")}));
  EXPECT_EQ(condensed.added, (std::vector<JournalRr>{Soa(7), RrA("www.example.com.", 2)}));
}

TEST(CondenseTest, OwnersAreComparedWithoutCase) {
  const std::vector<JournalEntry> entries = {Entry(5, {}, {RrA("A.example.com.", 1)}),
                                             Entry(6, {RrA("a.EXAMPLE.com.", 1)}, {})};
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.removed, std::vector<JournalRr>{Soa(5)});
  EXPECT_EQ(condensed.added, std::vector<JournalRr>{Soa(7)});
}

TEST(CondenseTest, TypeAndRdataTellRecordsApart) {
  // Same owner and bytes, another type: not the same RR.
  JournalRr aaaa_like = RrA("a.example.com.", 1);
  aaaa_like.type = dns::RrType::kAaaa;
  const std::vector<JournalEntry> entries = {Entry(5, {}, {RrA("a.example.com.", 1)}),
                                             Entry(6, {aaaa_like}, {RrA("a.example.com.", 2)})};
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.removed, (std::vector<JournalRr>{Soa(5), aaaa_like}));
  EXPECT_EQ(condensed.added,
            (std::vector<JournalRr>{Soa(7), RrA("a.example.com.", 1), RrA("a.example.com.", 2)}));
}

TEST(CondenseTest, ManyRewritesOfOneHostAreOneChange) {
  // 100 updates moving one host from address 0 to 1, 2, ... 100.
  std::vector<JournalEntry> entries;
  for (uint8_t i = 0; i < 100; ++i) {
    entries.push_back(Entry(10 + i, {RrA("home.example.com.", i)},
                            {RrA("home.example.com.", static_cast<uint8_t>(i + 1))}));
  }
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.serial_from, 10u);
  EXPECT_EQ(condensed.serial_to, 110u);
  EXPECT_EQ(condensed.removed, (std::vector<JournalRr>{Soa(10), RrA("home.example.com.", 0)}));
  EXPECT_EQ(condensed.added, (std::vector<JournalRr>{Soa(110), RrA("home.example.com.", 100)}));
}

TEST(CondenseTest, ManyEntriesKeepOnlyWhatLasts) {
  // Even entries add h<i>, odd ones remove h<i-1> again: only the last entry's add lasts,
  // and a record present from the start and removed midway is removed.
  std::vector<JournalEntry> entries;
  for (uint32_t i = 0; i < 51; ++i) {
    const std::string owner = "h" + std::to_string(i - i % 2) + ".example.com.";
    if (i % 2 == 0) {
      entries.push_back(Entry(100 + i, {}, {RrA(owner, 7)}));
    } else {
      entries.push_back(Entry(100 + i, {RrA(owner, 7)}, {}));
    }
  }
  entries[25].removed.push_back(RrA("old.example.com.", 9));
  const JournalEntry condensed = Condense(entries);
  EXPECT_EQ(condensed.removed, (std::vector<JournalRr>{Soa(100), RrA("old.example.com.", 9)}));
  EXPECT_EQ(condensed.added, (std::vector<JournalRr>{Soa(151), RrA("h50.example.com.", 7)}));
}

}  // namespace
}  // namespace tether::xfr
