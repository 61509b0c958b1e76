// Zones in both stores: create, list, get, delete, load, reopen.
#include <sys/stat.h>

#include <algorithm>
#include <map>

#include <gtest/gtest.h>

#include "store_test_util.h"

namespace tether::store::testing {
namespace {

std::map<std::string, std::vector<zone::Rrset>> Load(Store& store, int64_t zone_id) {
  std::map<std::string, std::vector<zone::Rrset>> names;
  auto loaded = store.LoadZone(zone_id, [&](zone::NameUpdate&& update) {
    EXPECT_EQ(names.count(update.name.ToText()), 0u) << "twice: " << update.name.ToText();
    names[update.name.ToText()] = std::move(update.rrsets);
  });
  EXPECT_TRUE(loaded) << loaded.error().message;
  return names;
}

std::map<std::string, std::vector<zone::Rrset>> AsMap(std::vector<zone::NameUpdate> names) {
  std::map<std::string, std::vector<zone::Rrset>> map;
  for (auto& update : names) {
    zone::NormalizeRrsets(&update.rrsets);
    map[update.name.Lowercased().ToText()] = update.rrsets;
  }
  return map;
}

class ZonesTest : public AnyStoreTest {};
TETHER_BOTH_STORES(ZonesTest);
using ZonesTestSqlite = StoreTest;

TEST_P(ZonesTest, CreatedZoneIsListedAndFound) {
  ZoneInfo created = Create("example.com.", 2024010101);
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.origin, N("example.com."));
  EXPECT_EQ(created.serial, 2024010101u);
  EXPECT_EQ(created.journal_seq, 0u);

  auto zones = store_->ListZones();
  ASSERT_TRUE(zones);
  ASSERT_EQ(zones->size(), 1u);
  EXPECT_EQ(zones->front().id, created.id);
  EXPECT_EQ(zones->front().serial, 2024010101u);

  auto found = store_->GetZone(N("EXAMPLE.com"));
  ASSERT_TRUE(found);
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->id, created.id);
  EXPECT_EQ((*found)->serial_policy, SerialPolicy::kIncrement);

  auto missing = store_->GetZone(N("example.org."));
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->has_value());
}

TEST_P(ZonesTest, ServiceZoneIsMadeInOneGoAndKept) {
  auto created = store_->CreateZone(N("dyn.example."), SerialPolicy::kIncrement, ZoneContent("dyn.example.", 1, 3),
                                    {}, ZoneKind::kService);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(created->service);
  EXPECT_FALSE(Create("plain.example.").service);
  Reopen();
  auto found = store_->GetZone(N("dyn.example."));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_TRUE((*found)->service);
  auto plain = store_->GetZone(N("plain.example."));
  ASSERT_TRUE(plain && plain->has_value());
  EXPECT_FALSE((*plain)->service);
  EXPECT_FALSE((*plain)->rpz);
}

TEST_P(ZonesTest, PolicyZoneIsMarkedAndKept) {
  auto created = store_->CreateZone(N("rpz.example."), SerialPolicy::kIncrement, ZoneContent("rpz.example.", 1, 0),
                                    {}, ZoneKind::kRpz);
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_TRUE(created->rpz);
  EXPECT_FALSE(created->service);
  Reopen();
  auto found = store_->GetZone(N("rpz.example."));
  ASSERT_TRUE(found && found->has_value());
  EXPECT_TRUE((*found)->rpz);
  EXPECT_FALSE((*found)->service);
}

TEST_P(ZonesTest, LoadReturnsExactlyWhatWasStored) {
  auto content = ZoneContent("example.com.", 1, 50);
  content.push_back(
      {N("Multi.Example.COM."),
       {zone::Rrset{dns::RrType::kTxt, 300, {{2, 'h', 'i'}, {1, 'a'}}}, ARrset(A(192, 0, 2, 9))}});
  auto created = store_->CreateZone(N("example.com."), SerialPolicy::kUnixTime, content, {});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ(Load(*store_, created->id), AsMap(content));
}

TEST_P(ZonesTest, CreateReportsProgress) {
  std::vector<std::pair<size_t, size_t>> calls;
  auto created =
      store_->CreateZone(N("example.com."), SerialPolicy::kIncrement,
                         ZoneContent("example.com.", 1, 10), [&](size_t done, size_t total) {
                           calls.push_back({done, total});
                         });
  ASSERT_TRUE(created);
  ASSERT_GE(calls.size(), 2u);
  EXPECT_EQ(calls.front(), std::make_pair(size_t{0}, size_t{11}));
  EXPECT_EQ(calls.back(), std::make_pair(size_t{11}, size_t{11}));
}

TEST_P(ZonesTest, CreateTwiceIsAlreadyExists) {
  Create("example.com.");
  auto again = store_->CreateZone(N("Example.Com."), SerialPolicy::kIncrement,
                                  ZoneContent("example.com.", 1, 1), {});
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
}

TEST_P(ZonesTest, CreateRefusesBadContent) {
  auto no_soa = ZoneContent("example.com.", 1, 1);
  no_soa.front().rrsets.pop_back();
  EXPECT_FALSE(store_->CreateZone(N("example.com."), SerialPolicy::kIncrement, no_soa, {}));

  auto no_ns = ZoneContent("example.com.", 1, 1);
  no_ns.front().rrsets.erase(no_ns.front().rrsets.begin());
  EXPECT_FALSE(store_->CreateZone(N("example.com."), SerialPolicy::kIncrement, no_ns, {}));

  auto outside = ZoneContent("example.com.", 1, 1);
  outside.push_back({N("www.example.org."), {ARrset(A(1, 2, 3, 4))}});
  EXPECT_FALSE(store_->CreateZone(N("example.com."), SerialPolicy::kIncrement, outside, {}));

  auto twice = ZoneContent("example.com.", 1, 2);
  twice.push_back({N("HOST1.example.com."), {ARrset(A(1, 2, 3, 4))}});
  auto refused = store_->CreateZone(N("example.com."), SerialPolicy::kIncrement, twice, {});
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("twice"), std::string::npos);

  // Nothing of the refused attempts was kept.
  EXPECT_TRUE(store_->ListZones()->empty());
}

TEST_P(ZonesTest, DeleteRemovesZoneNamesJournalAndGrants) {
  ZoneInfo zone = Create("example.com.");
  ZoneInfo other = Create("example.net.");
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));
  ASSERT_TRUE(store_->AddKey({N("k."), "hmac-sha256", {1, 2, 3}, {}}));
  ASSERT_TRUE(store_->AddGrant(N("k."), KeyGrant{N("example.com."), GrantScope::kZone, {}, {}}));
  ASSERT_TRUE(store_->AddGrant(N("k."), KeyGrant{N("example.net."), GrantScope::kZone, {}, {}}));

  auto deleted = store_->DeleteZone(N("example.com."));
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  EXPECT_FALSE(store_->GetZone(N("example.com."))->has_value());
  EXPECT_FALSE(store_->LoadZone(zone.id, [](zone::NameUpdate&&) {}));
  EXPECT_TRUE(store_->ReadJournal(zone.id, 0)->empty());
  auto keys = store_->ListKeys();
  ASSERT_EQ(keys->size(), 1u);
  ASSERT_EQ(keys->front().grants.size(), 1u);
  EXPECT_EQ(keys->front().grants.front().zone, N("example.net."));
  EXPECT_EQ(Load(*store_, other.id).size(), 4u);

  auto again = store_->DeleteZone(N("example.com."));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
}

TEST_P(ZonesTest, ReopeningKeepsEverything) {
  ZoneInfo zone = Create("example.com.", 10);
  ASSERT_TRUE(store_->Commit(SetA(zone, "www", A(1, 1, 1, 1))));
  ASSERT_TRUE(store_->SetAllowUpdate(zone.id, {"192.0.2.0/24"}));
  ASSERT_TRUE(store_->AddKey({N("k."), "hmac-sha256", {9, 9}, {}}));
  auto before = Load(*store_, zone.id);

  Reopen();
  auto info = store_->GetZone(N("example.com."));
  ASSERT_TRUE(info && info->has_value());
  EXPECT_EQ((*info)->serial, 11u);
  EXPECT_EQ((*info)->journal_seq, 1u);
  EXPECT_EQ((*info)->allow_update, std::vector<std::string>{"192.0.2.0/24"});
  EXPECT_EQ(Load(*store_, zone.id), before);
  EXPECT_EQ(store_->ReadJournal(zone.id, 0)->size(), 1u);
  EXPECT_EQ(store_->ListKeys()->size(), 1u);
}

TEST_F(ZonesTestSqlite, FileIsCreatedWithMode0600) {
  struct stat info {};
  ASSERT_EQ(::stat(path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

TEST_P(ZonesTest, LoadOfUnknownZoneIsNotFound) {
  auto loaded = store_->LoadZone(999, [](zone::NameUpdate&&) {});
  ASSERT_FALSE(loaded);
  EXPECT_EQ(loaded.error().code, ErrorCode::kNotFound);
}

TEST_P(ZonesTest, LoadSinkMayCallTheStore) {
  ZoneInfo zone = Create("example.com.");
  size_t names = 0;
  ASSERT_TRUE(store_->LoadZone(zone.id, [&](zone::NameUpdate&&) {
    ++names;
    EXPECT_TRUE(store_->GetZone(N("example.com.")));
  }));
  EXPECT_EQ(names, 4u);
}

}  // namespace
}  // namespace tether::store::testing
