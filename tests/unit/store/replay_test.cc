// Replay: journal diffs applied to a name's RRsets, and applied again.
#include "store/replay.h"

#include <gtest/gtest.h>

#include "store/blob_codec.h"
#include "store_test_util.h"

namespace tether::store::testing {
namespace {

const dns::Name kOrigin = N("example.com.");
const dns::Name kWww = N("www.example.com.");

JournalRr Rr(const dns::Name& owner, dns::RrType type, uint32_t ttl, std::vector<uint8_t> rdata) {
  return {owner, type, ttl, std::move(rdata)};
}

JournalRr WwwA(uint8_t last, uint32_t ttl = 60) {
  return Rr(kWww, dns::RrType::kA, ttl, A(192, 0, 2, last));
}

// Replays `entries` (removed, added) onto `rrsets` and returns the result.
std::vector<zone::Rrset> Apply(
    const std::vector<std::pair<std::vector<JournalRr>, std::vector<JournalRr>>>& entries,
    std::vector<zone::Rrset> rrsets, const dns::Name& name = kWww) {
  Replay replay(kOrigin);
  for (const auto& [removed, added] : entries) EXPECT_TRUE(replay.Add(removed, added));
  auto deltas = replay.TakeSorted();
  const auto key = OwnerKey(name, kOrigin);
  for (const auto& [owner, delta] : deltas) {
    if (std::equal(owner.begin(), owner.end(), key.begin(), key.end())) delta.ApplyTo(&rrsets);
  }
  return rrsets;
}

zone::Rrset ASet(std::vector<uint8_t> lasts, uint32_t ttl = 60) {
  zone::Rrset rrset{dns::RrType::kA, ttl, {}};
  for (uint8_t last : lasts) rrset.rdatas.push_back(A(192, 0, 2, last));
  return rrset;
}

TEST(ReplayTest, RemovedRecordsLeaveAndAddedOnesJoin) {
  auto result = Apply({{{WwwA(1)}, {WwwA(3)}}, {{}, {WwwA(2)}}}, {ASet({1, 5})});
  EXPECT_EQ(result, std::vector<zone::Rrset>{ASet({2, 3, 5})});
}

TEST(ReplayTest, AddedRecordSetsTheTtlOfItsRrset) {
  // A TTL change as the update path journals it: the whole RRset out, and in again.
  auto result = Apply({{{WwwA(1), WwwA(5)}, {WwwA(1, 300), WwwA(5, 300)}}}, {ASet({1, 5})});
  EXPECT_EQ(result, std::vector<zone::Rrset>{ASet({1, 5}, 300)});
}

TEST(ReplayTest, EmptiedRrsetDisappears) {
  zone::Rrset txt{dns::RrType::kTxt, 60, {{1, 'x'}}};
  auto result = Apply({{{WwwA(1), WwwA(5)}, {}}}, {ASet({1, 5}), txt});
  EXPECT_EQ(result, std::vector<zone::Rrset>{txt});
}

TEST(ReplayTest, NameWithoutRecordsIsDeletedAndMayComeBack) {
  EXPECT_TRUE(Apply({{{WwwA(1)}, {}}}, {ASet({1})}).empty());
  auto back = Apply({{{WwwA(1)}, {}}, {{}, {WwwA(9, 120)}}}, {ASet({1})});
  EXPECT_EQ(back, std::vector<zone::Rrset>{ASet({9}, 120)});
}

TEST(ReplayTest, NewNameStartsFromNothing) {
  auto result = Apply({{{}, {WwwA(7)}}}, {});
  EXPECT_EQ(result, std::vector<zone::Rrset>{ASet({7})});
}

TEST(ReplayTest, AddedSoaReplacesTheSoaRrset) {
  auto soa = [](uint32_t serial) {
    return Rr(kOrigin, dns::RrType::kSoa, 3600, SoaRdata("example.com.", serial));
  };
  // Even if the SOA removed is not the one stored: a zone has one SOA.
  auto result = Apply({{{soa(4)}, {soa(5)}}, {{soa(5)}, {soa(6)}}},
                      {NsRrset("example.com."), SoaRrset("example.com.", 1)}, kOrigin);
  EXPECT_EQ(result,
            (std::vector<zone::Rrset>{NsRrset("example.com."), SoaRrset("example.com.", 6)}));
}

// What a fold that crashed half-way leaves: rows that already reflect the entries. Applying
// them again must change nothing.
TEST(ReplayTest, ApplyingTwiceIsApplyingOnce) {
  const std::vector<std::pair<std::vector<JournalRr>, std::vector<JournalRr>>> entries = {
      {{WwwA(1)}, {WwwA(2)}},
      {{WwwA(2), WwwA(5)}, {}},
      {{}, {WwwA(2, 30), WwwA(8, 30)}},
      {{WwwA(8, 30)}, {Rr(kWww, dns::RrType::kTxt, 10, {1, 'x'})}},
  };
  const std::vector<zone::Rrset> start = {ASet({1, 5})};
  const auto once = Apply(entries, start);
  EXPECT_EQ(Apply(entries, once), once);
  EXPECT_EQ(once, (std::vector<zone::Rrset>{ASet({2}, 30),
                                            zone::Rrset{dns::RrType::kTxt, 10, {{1, 'x'}}}}));
}

TEST(ReplayTest, OwnersIgnoreCaseAndComeOutInKeyOrder) {
  Replay replay(kOrigin);
  ASSERT_TRUE(replay.Add({}, {Rr(N("B.example.com."), dns::RrType::kA, 60, A(1, 1, 1, 1)),
                              Rr(N("a.Example.COM."), dns::RrType::kA, 60, A(1, 1, 1, 1)),
                              Rr(N("b.example.com."), dns::RrType::kA, 60, A(1, 1, 1, 2))}));
  auto sorted = replay.TakeSorted();
  ASSERT_EQ(sorted.size(), 2u);
  EXPECT_EQ(sorted[0].first, std::string("\x01"
                                         "a"));
  EXPECT_EQ(sorted[1].first, std::string("\x01"
                                         "b"));
  std::vector<zone::Rrset> b;
  sorted[1].second.ApplyTo(&b);
  EXPECT_EQ(
      b,
      (std::vector<zone::Rrset>{zone::Rrset{dns::RrType::kA, 60, {A(1, 1, 1, 1), A(1, 1, 1, 2)}}}));
  EXPECT_TRUE(replay.empty());
}

TEST(ReplayTest, RecordOutsideTheZoneFailsAndAddsNothing) {
  Replay replay(kOrigin);
  EXPECT_FALSE(
      replay.Add({WwwA(1)}, {Rr(N("www.example.org."), dns::RrType::kA, 60, A(1, 1, 1, 1))}));
  EXPECT_TRUE(replay.empty());
}

}  // namespace
}  // namespace tether::store::testing
