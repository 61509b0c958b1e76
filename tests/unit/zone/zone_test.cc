// Zone: batches, versions, empty non-terminals and reclamation.
#include "zone/zone.h"

#include <gtest/gtest.h>

#include <map>

#include "dns/rdata.h"
#include "zone/node_table.h"
#include "zone_test_util.h"

namespace tether::zone {
namespace {

using testing::N;

Rrset A(const std::string& address, uint32_t ttl = 60) {
  return Rrset{dns::RrType::kA, ttl, {*dns::RdataFromString(dns::RrType::kA, address, dns::Name())}};
}

const NodeData* DataOf(Zone& zone, const std::string& relative_text, uint64_t version) {
  dns::Name name = N(relative_text + "." + zone.origin().ToText()).Lowercased();
  size_t size = name.size() - zone.origin().size();
  const Node* node = zone.Find(name.wire().data(), size, NodeTable::Hash(name.wire().data(), size));
  return node == nullptr ? nullptr : node->DataAt(version);
}

TEST(ZoneTest, ApplyPublishesOneNewVersion) {
  Zone zone(N("example."));
  EXPECT_EQ(zone.version(), 0u);
  ASSERT_TRUE(zone.Apply({{N("a.example."), {A("192.0.2.1")}}, {N("b.example."), {A("192.0.2.2")}}}));
  EXPECT_EQ(zone.version(), 1u);
  EXPECT_EQ(zone.Get(N("a.example.")), std::vector<Rrset>{A("192.0.2.1")});
  EXPECT_EQ(zone.Get(N("B.EXAMPLE.")), std::vector<Rrset>{A("192.0.2.2")});
}

TEST(ZoneTest, NameOutsideZoneRejectsTheWholeBatch) {
  Zone zone(N("example."));
  auto status = zone.Apply({{N("a.example."), {A("192.0.2.1")}}, {N("a.example.org."), {A("192.0.2.1")}}});
  EXPECT_FALSE(status);
  EXPECT_EQ(zone.version(), 0u);
  EXPECT_TRUE(zone.Get(N("a.example.")).empty());
}

TEST(ZoneTest, DuplicateTypesAreRejected) {
  Zone zone(N("example."));
  EXPECT_FALSE(zone.Apply({{N("a.example."), {A("192.0.2.1"), A("192.0.2.2")}}}));
}

TEST(ZoneTest, ReadersOfTheOldVersionSeeTheOldData) {
  Zone zone(N("example."));
  ASSERT_TRUE(zone.Apply({{N("a.example."), {A("192.0.2.1")}}}));
  ASSERT_TRUE(zone.Apply({{N("a.example."), {A("192.0.2.9")}}, {N("new.example."), {A("192.0.2.3")}}}));
  // Version 1 (a reader that started before the second batch) still sees the first address
  // and no new name; version 2 sees both changes.
  const NodeData* old_data = DataOf(zone, "a", 1);
  ASSERT_NE(old_data, nullptr);
  EXPECT_EQ(DecodeNodeData(old_data), std::vector<Rrset>{A("192.0.2.1")});
  EXPECT_EQ(DataOf(zone, "new", 1), nullptr);
  EXPECT_EQ(DecodeNodeData(DataOf(zone, "a", 2)), std::vector<Rrset>{A("192.0.2.9")});
  EXPECT_NE(DataOf(zone, "new", 2), nullptr);
}

TEST(ZoneTest, DeepNameCreatesEmptyNonTerminals) {
  Zone zone(N("example."));
  ASSERT_TRUE(zone.Apply({{N("a.b.c.example."), {A("192.0.2.1")}}}));
  const NodeData* b = DataOf(zone, "b.c", 1);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->Exists());
  EXPECT_EQ(b->rrset_count, 0);
  EXPECT_EQ(b->children, 1u);
  EXPECT_EQ(DataOf(zone, "c", 1)->children, 1u);
}

TEST(ZoneTest, DeletingTheLastChildRemovesEmptyNonTerminals) {
  Zone zone(N("example."));
  ASSERT_TRUE(zone.Apply({{N("a.b.c.example."), {A("192.0.2.1")}}}));
  ASSERT_TRUE(zone.Apply({{N("a.b.c.example."), {}}}));
  const NodeData* c = DataOf(zone, "c", 2);
  EXPECT_TRUE(c == nullptr || !c->Exists());
  zone.Maintain();  // no readers registered: removal happens now
  zone.Maintain();
  EXPECT_EQ(zone.Stats().nodes, 1u);  // just the apex
}

TEST(ZoneTest, ChildKeepsParentWithDataAlive) {
  Zone zone(N("example."));
  ASSERT_TRUE(zone.Apply({{N("b.example."), {A("192.0.2.2")}}, {N("a.b.example."), {A("192.0.2.1")}}}));
  ASSERT_TRUE(zone.Apply({{N("b.example."), {}}}));
  const NodeData* b = DataOf(zone, "b", 2);
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->Exists());  // now an empty non-terminal
  EXPECT_EQ(b->rrset_count, 0);
}

TEST(ZoneTest, ManyNamesGrowTheTableAndStayFindable) {
  Zone zone(N("example."));
  std::vector<NameUpdate> updates;
  for (int i = 0; i < 5000; ++i) {
    updates.push_back({N("host" + std::to_string(i) + ".example."), {A("192.0.2.1")}});
  }
  ASSERT_TRUE(zone.Apply(std::move(updates)));
  for (int i = 0; i < 5000; i += 97) {
    EXPECT_NE(DataOf(zone, "host" + std::to_string(i), 1), nullptr) << i;
  }
  EXPECT_EQ(zone.Stats().nodes, 5001u);
}

// 200,000 names grow the slot array past 2 MiB, where it is allocated for huge pages.
TEST(ZoneTest, LargeTablesOnHugePagesKeepTheirNames) {
  Zone zone(N("example."));
  std::vector<NameUpdate> updates;
  for (int i = 0; i < 200000; ++i) {
    updates.push_back({N("h" + std::to_string(i) + ".example."), {A("192.0.2.1")}});
  }
  ASSERT_TRUE(zone.Apply(std::move(updates)));
  std::vector<NameUpdate> removals;
  for (int i = 0; i < 200000; i += 2) removals.push_back({N("h" + std::to_string(i) + ".example."), {}});
  ASSERT_TRUE(zone.Apply(std::move(removals)));
  zone.Maintain();
  zone.Maintain();
  for (int i = 0; i < 200000; i += 1001) {
    EXPECT_EQ(DataOf(zone, "h" + std::to_string(i), 2) != nullptr, i % 2 == 1) << i;
  }
  EXPECT_EQ(zone.Stats().nodes, 100001u);
}

TEST(ZoneTest, RemovedNamesCanBeAddedAgain) {
  Zone zone(N("example."));
  ASSERT_TRUE(zone.Apply({{N("a.example."), {A("192.0.2.1")}}}));
  ASSERT_TRUE(zone.Apply({{N("a.example."), {}}}));
  zone.Maintain();
  zone.Maintain();
  ASSERT_TRUE(zone.Apply({{N("a.example."), {A("192.0.2.5")}}}));
  EXPECT_EQ(zone.Get(N("a.example.")), std::vector<Rrset>{A("192.0.2.5")});
}

TEST(ZoneTest, ForEachNameVisitsNamesWithData) {
  Zone zone(N("example."));
  ASSERT_TRUE(zone.Apply({{N("a.b.example."), {A("192.0.2.1")}}, {N("example."), {A("192.0.2.2")}}}));
  std::vector<std::string> names;
  zone.ForEachName([&](const dns::Name& name, const std::vector<Rrset>&) { names.push_back(name.ToText()); });
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a.b.example.", "example."}));
}

TEST(ZoneTest, ForEachNameSeesTheVersionOfTheCallWhileBatchesAreApplied) {
  Zone zone(N("example."));
  std::vector<NameUpdate> initial;
  for (int i = 0; i < 1000; ++i)
    initial.push_back({N("h" + std::to_string(i) + ".example."), {A("192.0.2.1")}});
  ASSERT_TRUE(zone.Apply(std::move(initial)));
  std::map<std::string, std::vector<Rrset>> seen;
  bool applied = false;
  zone.ForEachName([&](const dns::Name& name, const std::vector<Rrset>& rrsets) {
    if (!applied) {
      // Mid-walk, from the walking thread: the writer is not held up by the walk. Half the
      // names go, the rest change, and enough new ones come to make the table grow.
      applied = true;
      std::vector<NameUpdate> batch;
      for (int i = 0; i < 1000; ++i) {
        batch.push_back({N("h" + std::to_string(i) + ".example."),
                         i < 500 ? std::vector<Rrset>{} : std::vector<Rrset>{A("192.0.2.2")}});
      }
      for (int i = 0; i < 4000; ++i)
        batch.push_back({N("new" + std::to_string(i) + ".example."), {A("192.0.2.3")}});
      ASSERT_TRUE(zone.Apply(std::move(batch)));
      zone.Maintain();
      ASSERT_TRUE(zone.Apply({{N("h999.example."), {}}}));
      zone.Maintain();
    }
    EXPECT_TRUE(seen.emplace(name.ToText(), rrsets).second) << name.ToText() << " twice";
  });
  ASSERT_TRUE(applied);
  ASSERT_EQ(seen.size(), 1000u);
  for (const auto& [name, rrsets] : seen) {
    EXPECT_EQ(name.rfind("h", 0), 0u) << name;
    EXPECT_EQ(rrsets, std::vector<Rrset>{A("192.0.2.1")}) << name;
  }
  // The next walk sees the batches.
  size_t now = 0;
  zone.ForEachName([&](const dns::Name&, const std::vector<Rrset>&) { ++now; });
  EXPECT_EQ(now, 499u + 4000u);
}

}  // namespace
}  // namespace tether::zone
