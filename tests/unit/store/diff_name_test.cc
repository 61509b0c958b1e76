// DiffName: the exact diff between two versions of a name, as Commit wants it.
#include <gtest/gtest.h>

#include "store/replay.h"
#include "store_test_util.h"

namespace tether::store::testing {
namespace {

TEST(DiffNameTest, AddedAndRemovedRecordsOnly) {
  const dns::Name www = N("www.example.com.");
  std::vector<JournalRr> removed, added;
  zone::Rrset before{dns::RrType::kA, 60, {A(192, 0, 2, 1), A(192, 0, 2, 2)}};
  zone::Rrset after{dns::RrType::kA, 60, {A(192, 0, 2, 2), A(192, 0, 2, 3)}};
  DiffName(www, {before}, {after}, &removed, &added);
  EXPECT_EQ(removed, (std::vector<JournalRr>{{www, dns::RrType::kA, 60, A(192, 0, 2, 1)}}));
  EXPECT_EQ(added, (std::vector<JournalRr>{{www, dns::RrType::kA, 60, A(192, 0, 2, 3)}}));
}

TEST(DiffNameTest, ChangedTtlRemovesAndAddsTheWholeRrset) {
  const dns::Name www = N("www.example.com.");
  std::vector<JournalRr> removed, added;
  DiffName(www, {ARrset(A(192, 0, 2, 1), 60)}, {ARrset(A(192, 0, 2, 1), 300)}, &removed, &added);
  EXPECT_EQ(removed, (std::vector<JournalRr>{{www, dns::RrType::kA, 60, A(192, 0, 2, 1)}}));
  EXPECT_EQ(added, (std::vector<JournalRr>{{www, dns::RrType::kA, 300, A(192, 0, 2, 1)}}));
}

TEST(DiffNameTest, SoaIsLeftToTheStore) {
  const dns::Name apex = N("example.com.");
  std::vector<JournalRr> removed, added;
  DiffName(apex, {SoaRrset("example.com.", 1)}, {SoaRrset("example.com.", 2)}, &removed, &added);
  EXPECT_TRUE(removed.empty());
  EXPECT_TRUE(added.empty());
}

TEST(DiffNameTest, NameGoneRemovesEverything) {
  const dns::Name www = N("www.example.com.");
  std::vector<JournalRr> removed, added;
  DiffName(www, {ARrset(A(192, 0, 2, 1))}, {}, &removed, &added);
  EXPECT_EQ(removed.size(), 1u);
  EXPECT_TRUE(added.empty());
}

}  // namespace
}  // namespace tether::store::testing
