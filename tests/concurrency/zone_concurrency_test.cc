// Readers answer queries while a writer changes the zone: under ThreadSanitizer this checks
// the QSBR/versioning protocol; in every build it checks that a batch is seen atomically.
#include <atomic>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "base/qsbr.h"
#include "dns/rdata.h"
#include "server/query.h"
#include "zone/node_table.h"
#include "zone/zone.h"
#include "zone/zone_set.h"

namespace tether {
namespace {

using zone::NameUpdate;
using zone::Rrset;

dns::Name N(const std::string& text) { return *dns::Name::FromText(text); }

Rrset A(uint32_t value) {
  std::vector<uint8_t> rdata = {static_cast<uint8_t>(value >> 24), static_cast<uint8_t>(value >> 16),
                                static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
  return Rrset{dns::RrType::kA, 60, {rdata}};
}

Rrset Soa(uint32_t serial) {
  return Rrset{dns::RrType::kSoa, 60,
               {*dns::RdataFromString(dns::RrType::kSoa,
                                      "ns.example. h.example. " + std::to_string(serial) + " 60 60 60 60",
                                      dns::Name())}};
}

std::vector<uint8_t> MakeQuery(const std::string& name, uint16_t id) {
  std::vector<uint8_t> query = {static_cast<uint8_t>(id >> 8), static_cast<uint8_t>(id), 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  dns::Name qname = N(name);
  auto wire = qname.wire();
  query.insert(query.end(), wire.begin(), wire.end());
  query.insert(query.end(), {0, 1, 0, 1});
  return query;
}

// The A record value of `relative` at `version`, or 0 if the name has none.
uint32_t ValueAt(const zone::Zone& zone, const std::string& relative, uint64_t version) {
  dns::Name name = N(relative + ".example.");
  size_t size = name.size() - zone.origin().size();
  const zone::Node* node = zone.Find(name.wire().data(), size, zone::NodeTable::Hash(name.wire().data(), size));
  if (node == nullptr) return 0;
  const zone::NodeData* data = node->DataAt(version);
  if (data == nullptr) return 0;
  zone::RrsetView rrset = zone::FindRrset(data, dns::RrType::kA);
  if (!rrset.valid()) return 0;
  const uint8_t* p = rrset.wire().data() + zone::kRecordFixedSize;
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

TEST(ZoneConcurrencyTest, ReadersSeeWholeBatchesWhileAWriterChangesTheZone) {
  zone::ZoneRegistry registry;
  auto zone = std::make_shared<zone::Zone>(N("example."));
  std::vector<NameUpdate> initial = {{N("example."), {Soa(1)}}, {N("pair-a.example."), {A(1)}},
                                     {N("pair-b.example."), {A(1)}}};
  for (int i = 0; i < 200; ++i) initial.push_back({N("host" + std::to_string(i) + ".example."), {A(7)}});
  ASSERT_TRUE(zone->Apply(std::move(initial)));
  registry.Put(zone);

  constexpr int kReaders = 3;
  constexpr int kBatches = 4000;
  std::atomic<bool> done{false};
  std::atomic<long> mismatches{0};
  std::atomic<long> answered{0};

  std::vector<std::thread> readers;
  for (int r = 0; r < kReaders; ++r) {
    readers.emplace_back([&, r] {
      ReaderSlot* slot = Qsbr::Global().RegisterReader();
      std::mt19937 random(static_cast<unsigned>(r));
      std::vector<uint8_t> response(4096);
      server::QueryOptions options;
      long iterations = 0;
      while (!done.load(std::memory_order_relaxed) && iterations < 2'000'000) {
        ++iterations;
        slot->Enter();
        const zone::ZoneSet* zones = registry.Current();
        const zone::Zone* current = zones->zones().front().get();
        uint64_t version = current->version();
        if (ValueAt(*current, "pair-a", version) != ValueAt(*current, "pair-b", version)) mismatches++;
        auto query = MakeQuery("host" + std::to_string(random() % 260) + ".example.", static_cast<uint16_t>(iterations));
        if (server::HandleQuery(*zones, query, server::Transport::kUdp, options, response.data(),
                                response.size()) > 0) {
          answered++;
        }
        slot->Exit();
      }
      Qsbr::Global().UnregisterReader(slot);
    });
  }

  std::thread writer([&] {
    for (int batch = 2; batch <= kBatches; ++batch) {
      auto value = static_cast<uint32_t>(batch);
      std::vector<NameUpdate> updates = {{N("example."), {Soa(value)}},
                                         {N("pair-a.example."), {A(value)}},
                                         {N("pair-b.example."), {A(value)}},
                                         {N("host" + std::to_string(200 + batch % 60) + ".example."), {A(value)}},
                                         {N("host" + std::to_string(200 + (batch + 30) % 60) + ".example."), {}}};
      ASSERT_TRUE(zone->Apply(std::move(updates)));
      if (batch % 100 == 0) registry.Put(zone);  // republish the set: exercises snapshot retirement
      Qsbr::Global().Collect();
    }
    done.store(true);
  });

  writer.join();
  for (auto& reader : readers) reader.join();
  Qsbr::Global().Synchronize();
  zone->Maintain();
  EXPECT_EQ(mismatches.load(), 0);
  EXPECT_GT(answered.load(), 0);
  EXPECT_EQ(zone->version(), static_cast<uint64_t>(kBatches));
}

TEST(ZoneConcurrencyTest, WalksSeeOneVersionWhileAWriterChangesTheZone) {
  // Each batch sets the apex and every "same" name to one value, and makes or deletes
  // "churn" names (the table grows and nodes leave it): a walk (what an AXFR copies) must
  // see one batch's values throughout, and each name once.
  auto zone = std::make_shared<zone::Zone>(N("example."));
  constexpr int kSame = 300;
  std::vector<NameUpdate> initial = {{N("example."), {Soa(1), A(1)}}};
  for (int i = 0; i < kSame; ++i)
    initial.push_back({N("same" + std::to_string(i) + ".example."), {A(1)}});
  ASSERT_TRUE(zone->Apply(std::move(initial)));

  constexpr int kBatches = 3000;
  std::atomic<bool> done{false};
  std::atomic<long> inconsistent{0};
  std::atomic<long> walks{0};
  std::thread walker([&] {
    while (!done.load(std::memory_order_relaxed)) {
      std::set<std::string> names;
      std::set<uint32_t> values;
      bool twice = false;
      zone->ForEachName([&](const dns::Name& name, const std::vector<Rrset>& rrsets) {
        twice |= !names.insert(name.ToText()).second;
        if (name.ToText().rfind("churn", 0) == 0) return;
        for (const Rrset& rrset : rrsets) {
          if (rrset.type != dns::RrType::kA) continue;
          const auto& r = rrset.rdatas.front();
          values.insert((uint32_t{r[0]} << 24) | (uint32_t{r[1]} << 16) | (uint32_t{r[2]} << 8) |
                        r[3]);
        }
      });
      if (twice || values.size() != 1 || names.size() < kSame + 1) inconsistent++;
      walks++;
    }
  });

  for (int batch = 2; batch <= kBatches; ++batch) {
    auto value = static_cast<uint32_t>(batch);
    std::vector<NameUpdate> updates = {{N("example."), {Soa(value), A(value)}}};
    for (int i = 0; i < kSame; ++i)
      updates.push_back({N("same" + std::to_string(i) + ".example."), {A(value)}});
    for (int i = 0; i < 20; ++i) {
      const int churn = (batch * 20 + i) % 5000;
      updates.push_back({N("churn" + std::to_string(churn) + ".example."),
                         batch % 3 == 0 ? std::vector<Rrset>{} : std::vector<Rrset>{A(value)}});
    }
    ASSERT_TRUE(zone->Apply(std::move(updates)));
    zone->Maintain();
  }
  done.store(true);
  walker.join();
  EXPECT_EQ(inconsistent.load(), 0);
  EXPECT_GT(walks.load(), 0);
}

}  // namespace
}  // namespace tether
